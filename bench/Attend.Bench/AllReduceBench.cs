using System.Diagnostics;
using System.Globalization;
using Attend.Tensors.Distributed;

namespace Attend.Bench;

/// <summary>
/// `mpirun -np N Attend.Bench allreduce --floats F [--reps R] [--bucket B]`: the in-place float sum of F values over the
/// ranks, as the trainer does it (calls of at most B floats, default the whole buffer), timed on warm buffers; rank 0
/// prints the median and best milliseconds and the bus bandwidth 2(N−1)/N·bytes/time. Under the MCA settings the
/// environment gives (the trainer's segmented ring unless OMPI_MCA_* say otherwise).
/// </summary>
internal static class AllReduceBench
{
    public static int Run(string[] args)
    {
        int floats = 15_000_000, reps = 20, bucket = int.MaxValue;
        for (int i = 0; i < args.Length; i++)
            switch (args[i])
            {
                case "--floats": floats = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--bucket": bucket = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine("usage: mpirun -np N Attend.Bench allreduce [--floats F] [--reps R] [--bucket B]");
                    return 2;
            }
        using var comm = Communicator.Create(DistributedMode.Mpi);
        var data = new float[floats];
        for (int i = 0; i < floats; i++) data[i] = (i % 7) * 1e-3f;
        var ms = new List<double>();
        for (int r = 0; r < reps + 2; r++)
        {
            Span<double> sync = [0];
            comm.SumInPlace(sync); // start together: the time is the reduction's, not a late rank's
            var clock = Stopwatch.StartNew();
            for (int at = 0; at < floats; at += bucket) comm.SumInPlace(data.AsSpan(at, Math.Min(bucket, floats - at)));
            if (r >= 2) ms.Add(clock.Elapsed.TotalMilliseconds);
        }
        ms.Sort();
        if (comm.Rank == 0)
        {
            double median = ms[ms.Count / 2], gbps = 2.0 * (comm.Size - 1) / comm.Size * floats * 4 / (median / 1e3) / 1e9;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allreduce ranks {comm.Size} floats {floats} ({floats * 4 / 1e6:F1} MB) " +
                $"bucket {Math.Min(bucket, floats)}: median {median:F1} ms, best {ms[0]:F1} ms, bus {gbps:F2} GB/s"));
        }
        return 0;
    }
}
