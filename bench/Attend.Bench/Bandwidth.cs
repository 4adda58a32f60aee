using System.Diagnostics;
using System.Numerics.Tensors;

namespace Attend.Bench;

/// <summary>
/// Read bandwidth from memory, 1 and 2 threads: the roofline of decoding a single sentence, whose every step
/// streams the decoder's weight matrices (16 MB for the big config's output layer alone) from memory.
/// Each thread sums its own array: 256 MB (far larger than any cache: DRAM) and 28 MB (the big config's
/// decoder weights per step, which may partly stay in a shared L3), best of several passes, wall clock.
/// </summary>
public static class Bandwidth
{

    public static int Run(string[] args)
    {
        if (args.Length > 0) { Console.Error.WriteLine($"bandwidth: takes no options, got '{args[0]}'"); return 2; }
        var rows = new List<string>();
        foreach (int floats in new[] { 64 << 20, 7 << 20 })
        {
            var arrays = new float[2][];
            for (int t = 0; t < 2; t++)
            {
                arrays[t] = new float[floats];
                arrays[t].AsSpan().Fill(1f / (t + 1));
            }
            int reps = floats > (32 << 20) ? 5 : 40;
            foreach (int threads in new[] { 1, 2 })
            {
                double best = double.MaxValue;
                float sink = 0;
                for (int rep = 0; rep < reps; rep++)
                {
                    var sums = new float[threads];
                    var sw = Stopwatch.StartNew();
                    Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sums[t] = TensorPrimitives.Sum(arrays[t]));
                    best = Math.Min(best, sw.Elapsed.TotalSeconds);
                    sink += sums.Sum();
                }
                double mb = (double)floats * sizeof(float) / 1e6, gbs = threads * mb / 1e3 / best;
                Console.WriteLine($"read bandwidth, {mb:F0} MB per thread, {threads} thread(s): {gbs:F1} GB/s (best of {reps}; checksum {sink:G3})");
                rows.Add($"{{\"mb_per_thread\":{mb:F0},\"threads\":{threads},\"read_gb_per_s\":{gbs:F2}}}");
            }
        }
        Console.WriteLine($"{{\"bandwidth\":[{string.Join(",", rows)}]}}");
        return 0;
    }
}
