// Choosing how a process runs: alone, or as one rank of an MPI job (detected from the launcher's environment,
// or asked for with --distributed mpi).
namespace Attend.Tensors.Distributed;

/// <summary>How a command runs across processes.</summary>
public enum DistributedMode
{
    /// <summary>MPI when the process was started by an MPI launcher (mpirun, srun), alone otherwise.</summary>
    Auto,
    /// <summary>Alone, even under a launcher (each process then works on its own).</summary>
    None,
    /// <summary>MPI; an error when no launcher started the process.</summary>
    Mpi,
}

/// <summary>Creates the process's communicator (<see cref="SingleProcess"/> or <see cref="MpiCommunicator"/>).</summary>
public static class Communicator
{
    /// <summary>Variables an MPI launcher sets in each process it starts: Open MPI's mpirun, then PMIx and PMI (srun).</summary>
    private static readonly string[] LauncherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"];

    /// <summary>Whether an MPI launcher started this process.</summary>
    public static bool UnderLauncher => LauncherVariables.Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));

    /// <summary>
    /// The communicator for <paramref name="mode"/>. Under mpirun with one process (<c>-np 1</c>) and
    /// <see cref="DistributedMode.Auto"/> it is <see cref="SingleProcess"/>, which needs no MPI library.
    /// Throws <see cref="InvalidOperationException"/> for <see cref="DistributedMode.Mpi"/> outside a launcher,
    /// and <see cref="DllNotFoundException"/> naming the packages when Open MPI is not installed.
    /// </summary>
    public static ICommunicator Create(DistributedMode mode)
    {
        switch (mode)
        {
            case DistributedMode.None:
                return SingleProcess.Instance;
            case DistributedMode.Mpi when !UnderLauncher:
                throw new InvalidOperationException("--distributed mpi: this process was not started by an MPI launcher; run it as " +
                                                    "`mpirun -np N attend …` (or srun --mpi=pmix under Slurm)");
            case DistributedMode.Auto when !UnderLauncher || Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") == "1":
                return SingleProcess.Instance;
            default:
                return Active = new MpiCommunicator();
        }
    }

    /// <summary>The MPI communicator this process created, if any: an error handler aborts the job through it.</summary>
    public static ICommunicator? Active { get; internal set; }
}
