// Summing the gradients of all ranks after each backward: the MPI all-reduce of data-parallel training.
using System.Diagnostics;
using Attend.Tensors;
using Attend.Tensors.Distributed;

namespace Attend.Training;

/// <summary>
/// Sums every parameter's gradient over the ranks, in place, in buckets: a parameter of at least
/// <see cref="BucketElements"/> values is reduced where it lies; smaller ones are packed together into a
/// staging buffer of about that size, so a model of many small tensors costs a few calls, not one per tensor.
/// A parameter no rank's backward reached keeps no gradient (the optimizer skips it, as on one process).
/// </summary>
internal sealed class GradientAllReduce(ICommunicator comm, IReadOnlyList<Tensor> parameters)
{
    /// <summary>About 4 MB of floats per call: a few of Open MPI's 1 MB ring segments, and few calls.</summary>
    public const int BucketElements = 1 << 20;

    private readonly float[] _staging = new float[BucketElements];
    private readonly double[] _head = new double[1 + parameters.Count];

    /// <summary>Milliseconds the last <see cref="Sum"/> spent in MPI calls and the copies around them.</summary>
    public double LastMilliseconds { get; private set; }

    /// <summary>Sums the gradients and <paramref name="localLoss"/> over the ranks; returns the summed loss.</summary>
    public double Sum(double localLoss)
    {
        var clock = Stopwatch.StartNew();
        // Which parameters have a gradient anywhere, and the loss, in one small call.
        _head[0] = localLoss;
        for (int i = 0; i < parameters.Count; i++) _head[1 + i] = parameters[i].HasGrad ? 1 : 0;
        comm.SumInPlace(_head);
        var bucket = new List<Tensor>();
        int filled = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (_head[1 + i] == 0) continue;
            var p = parameters[i];
            if (p.Length >= BucketElements)
            {
                comm.SumInPlace(p.Grad); // reading Grad gives the dense form (zeros on a rank that had none)
                continue;
            }
            if (filled + p.Length > BucketElements) Flush(bucket, ref filled);
            bucket.Add(p);
            filled += p.Length;
        }
        Flush(bucket, ref filled);
        LastMilliseconds = clock.Elapsed.TotalMilliseconds;
        return _head[0];
    }

    private void Flush(List<Tensor> bucket, ref int filled)
    {
        if (bucket.Count == 0) return;
        int at = 0;
        foreach (var p in bucket)
        {
            if (p.HasGrad) p.Grad.CopyTo(_staging.AsSpan(at, p.Length));
            else _staging.AsSpan(at, p.Length).Clear();
            at += p.Length;
        }
        comm.SumInPlace(_staging.AsSpan(0, filled));
        at = 0;
        foreach (var p in bucket)
        {
            _staging.AsSpan(at, p.Length).CopyTo(p.Grad);
            at += p.Length;
        }
        bucket.Clear();
        filled = 0;
    }
}
