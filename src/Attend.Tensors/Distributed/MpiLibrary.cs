// Open MPI's C API reached through P/Invoke: libmpi.so.40 loaded with NativeLibrary, each function an unmanaged
// function pointer from GetExport, each predefined handle (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, …) the address of
// the global Open MPI exports for it (its mpi.h defines MPI_COMM_WORLD as &ompi_mpi_comm_world).
using System.Runtime.InteropServices;

namespace Attend.Tensors.Distributed;

/// <summary>The entry points and handles of Open MPI 4.x that <see cref="MpiCommunicator"/> uses.</summary>
internal sealed unsafe class MpiLibrary
{
    /// <summary>Open MPI 4's soname (Debian's libopenmpi3, installed with openmpi-bin).</summary>
    public const string SoName = "libmpi.so.40";

    public const int ThreadFunneled = 1; // MPI_THREAD_FUNNELED in Open MPI's mpi.h
    public const int Success = 0;

    public readonly delegate* unmanaged<int*, nint, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int*, int> Initialized;
    public readonly delegate* unmanaged<int*, int> Finalized;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<nint, int*, int> CommRank;
    public readonly delegate* unmanaged<nint, int*, int> CommSize;
    public readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> Allreduce;
    public readonly delegate* unmanaged<void*, int, nint, int, nint, int> Bcast;
    public readonly delegate* unmanaged<void*, int, nint, void*, int, nint, int, nint, int> Gather;
    public readonly delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, int, nint, int> Gatherv;
    public readonly delegate* unmanaged<nint, int, int> Abort;

    public readonly nint CommWorld, Float, Double, Int, Byte, OpSum, OpMax;

    /// <summary>MPI_IN_PLACE: the send buffer of an in-place reduction.</summary>
    public static readonly void* InPlace = (void*)1;

    private MpiLibrary(nint lib)
    {
        nint F(string name) => NativeLibrary.GetExport(lib, name);
        InitThread = (delegate* unmanaged<int*, nint, int, int*, int>)F("MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)F("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)F("MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)F("MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)F("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)F("MPI_Comm_size");
        Allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)F("MPI_Allreduce");
        Bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)F("MPI_Bcast");
        Gather = (delegate* unmanaged<void*, int, nint, void*, int, nint, int, nint, int>)F("MPI_Gather");
        Gatherv = (delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, int, nint, int>)F("MPI_Gatherv");
        Abort = (delegate* unmanaged<nint, int, int>)F("MPI_Abort");
        CommWorld = F("ompi_mpi_comm_world");
        Float = F("ompi_mpi_float");
        Double = F("ompi_mpi_double");
        Int = F("ompi_mpi_int");
        Byte = F("ompi_mpi_byte");
        OpSum = F("ompi_mpi_op_sum");
        OpMax = F("ompi_mpi_op_max");
    }

    /// <summary>
    /// Loads Open MPI (<see cref="SoName"/>, or the file the environment variable ATTEND_MPI_LIBRARY names), or throws
    /// <see cref="DllNotFoundException"/> naming the Debian packages that provide it.
    /// </summary>
    public static MpiLibrary Load()
    {
        var name = Environment.GetEnvironmentVariable("ATTEND_MPI_LIBRARY") is { Length: > 0 } chosen ? chosen : SoName;
        if (!NativeLibrary.TryLoad(name, out var lib))
            throw new DllNotFoundException($"{name} (Open MPI 4) not found: install it (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi3) " +
                                           "or point LD_LIBRARY_PATH (or ATTEND_MPI_LIBRARY) at it");
        try
        {
            return new MpiLibrary(lib);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new DllNotFoundException($"{SoName} is not Open MPI 4 ({e.Message}); Attend calls Open MPI's ABI (Debian: openmpi-bin libopenmpi3)", e);
        }
    }

    /// <summary>Throws when an MPI call did not return MPI_SUCCESS (with the default error handler, Open MPI aborts first).</summary>
    public static void Check(int code, string call)
    {
        if (code != Success) throw new InvalidOperationException($"{call} failed with MPI error code {code}");
    }
}
