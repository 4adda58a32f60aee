using System.CommandLine;
using Attend.Config;
using Attend.Tensors.Distributed;

namespace Attend.Cli.Commands;

/// <summary>`--distributed auto|none|mpi` (train, translate): whether the process is one rank of an MPI job (docs/distributed.md).</summary>
internal static class DistributedOption
{
    public static Option<DistributedMode> Create() => new("--distributed")
    {
        Description = "auto: one rank of an MPI job when started by mpirun/srun, else alone; mpi: must be (an error otherwise); none: alone",
        DefaultValueFactory = _ => DistributedMode.Auto,
    };

    /// <summary>The process's communicator; a missing Open MPI or a missing launcher is a user error (exit code 2).</summary>
    public static ICommunicator Open(DistributedMode mode)
    {
        try
        {
            return Communicator.Create(mode);
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException)
        {
            throw new ConfigException(e.Message);
        }
    }
}
