// The few collectives data-parallel training and sharded translation need, behind one interface, so the
// training loop has one path whether it runs alone or as one rank of an MPI job.
namespace Attend.Tensors.Distributed;

/// <summary>
/// A group of processes (ranks) that run the same program on different data. Every rank must call the
/// collectives in the same order with the same counts; a call returns when every rank made it. Not thread-safe:
/// call from one thread (the one that created it).
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's index, 0 ≤ Rank &lt; Size; rank 0 writes files and logs.</summary>
    int Rank { get; }

    /// <summary>The number of processes.</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> by their element-wise sum over all ranks (the same bits on every rank).</summary>
    void SumInPlace(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> by their element-wise sum over all ranks.</summary>
    void SumInPlace(Span<double> values);

    /// <summary>Replaces <paramref name="values"/> by their element-wise maximum over all ranks.</summary>
    void MaxInPlace(Span<double> values);

    /// <summary>Copies rank <paramref name="root"/>'s <paramref name="values"/> into every other rank's.</summary>
    void Broadcast(Span<float> values, int root = 0);

    /// <summary>Copies rank <paramref name="root"/>'s <paramref name="bytes"/> into every other rank's (the same length on all).</summary>
    void Broadcast(Span<byte> bytes, int root = 0);

    /// <summary>
    /// Every rank's <paramref name="bytes"/> (of any length), concatenated in rank order, on rank
    /// <paramref name="root"/>; an empty array on the others.
    /// </summary>
    byte[] Gather(ReadOnlySpan<byte> bytes, int root = 0);

    /// <summary>
    /// Ends every rank of the job at once with exit code <paramref name="exitCode"/> (MPI_Abort): for an error on
    /// one rank, which would otherwise leave the others waiting in a collective. Does not return.
    /// </summary>
    void Abort(int exitCode);
}
