// What synchronous data-parallel training needs besides the gradient sum: each rank's share of a batch, one
// starting point for all, agreement on when to end, and a check that the replicas stayed equal.
using System.Runtime.InteropServices;
using Attend.Tensors;
using Attend.Tensors.Distributed;

namespace Attend.Training;

/// <summary>
/// The ranks of a data-parallel run. Every rank builds the same batch plan (same seed) and takes every
/// <see cref="ICommunicator.Size"/>-th pair of each batch from its <see cref="ICommunicator.Rank"/> on, so the
/// ranks' parts together are the batch of a single process; the parts' losses are weighted by the batch's
/// global token count, so the summed gradient is the single process's, up to float summation order.
/// </summary>
internal sealed class DataParallel(ICommunicator comm, IReadOnlyList<Tensor> parameters)
{
    public ICommunicator Comm => comm;
    public int Rank => comm.Rank;
    public int Size => comm.Size;
    public bool IsLeader => comm.Rank == 0;
    public GradientAllReduce Gradients { get; } = new(comm, parameters);

    /// <summary>This rank's pairs of a batch: positions rank, rank + size, … (a strided share, so long and short pairs spread evenly).</summary>
    public int[] PartOf(int[] batch)
    {
        var part = new int[(batch.Length - Rank + Size - 1) / Size];
        for (int i = Rank, k = 0; i < batch.Length; i += Size) part[k++] = batch[i];
        return part;
    }

    /// <summary>Gives every rank rank 0's parameter values (a fresh model's initialization, or the checkpoint rank 0 read).</summary>
    public void BroadcastParameters()
    {
        foreach (var p in parameters) comm.Broadcast(p.Data);
    }

    /// <summary>The largest of the ranks' <paramref name="mine"/>, on every rank (a decision all ranks must take at the same step).</summary>
    public int Max(int mine)
    {
        Span<double> v = [mine];
        comm.MaxInPlace(v);
        return (int)v[0];
    }

    /// <summary>Rank 0's <paramref name="value"/> on every rank.</summary>
    public double FromLeader(double value)
    {
        Span<double> v = [value];
        comm.Broadcast(MemoryMarshal.AsBytes(v));
        return v[0];
    }

    /// <summary>
    /// Compares a checksum of the parameters over the ranks and throws when they differ: replicas that drifted
    /// apart (a rank that skipped an update, or a nondeterministic reduction) would silently train different models.
    /// </summary>
    public void CheckReplicasEqual(long step)
    {
        double sum = Checksum(parameters);
        Span<double> range = [sum, -sum];
        comm.MaxInPlace(range);
        if (range[0] != -range[1])
            throw new InvalidOperationException($"step {step}: the parameters differ between ranks (checksum {sum:R} on rank {Rank}, " +
                                                $"from {-range[1]:R} to {range[0]:R} over {Size} ranks); ending the run");
    }

    /// <summary>A 52-bit hash of every parameter's bits (exact as a double, so ranks can compare it with MPI_MAX).</summary>
    internal static double Checksum(IReadOnlyList<Tensor> parameters)
    {
        ulong h = 14695981039346656037UL;
        foreach (var p in parameters)
        {
            var words = MemoryMarshal.Cast<float, uint>(p.Data);
            foreach (uint w in words) h = (h ^ w) * 1099511628211UL;
        }
        return h & ((1UL << 52) - 1);
    }
}
