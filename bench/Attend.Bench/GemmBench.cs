using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Attend.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Bench;

/// <summary>
/// GEMM throughput: C[m, n] = A[m, k]·B[k, n] at the model's shapes (squares, and the
/// decoder's 64-row and 1920-row products), with 1 and 2 threads. Prints a table, then one JSON line.
/// </summary>
public static class GemmBench
{
    /// <summary>(m, k, n): A is [m, k], B is [k, n].</summary>
    public static readonly (int M, int K, int N)[] Shapes =
    [
        (256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048),
        (64, 512, 1536), (64, 1024, 8000), (1920, 512, 1536), (1920, 512, 8000),
    ];

    /// <summary>
    /// `--few-rows`: the decoder's few-row products x·Wᵀ with W stored [n, k] (beam search with batch 1:
    /// the output layer [m, 512]·[8000, 512]ᵀ and the GRU's [m, 512]·[1536, 512]ᵀ), which the direct path
    /// serves, and a few x·B with B stored [k, n] ([m, 512]·[512, 1536], direct up to 4 rows); then the other
    /// five-row products of beam 5 with batch 1 (a Luong decoder's, and the small model's).
    /// </summary>
    public static readonly (int M, int K, int N, bool TransB)[] FewRowShapes =
    [
        (1, 512, 8000, true), (2, 512, 8000, true), (4, 512, 8000, true), (5, 512, 8000, true), (6, 512, 8000, true), (8, 512, 8000, true),
        (1, 512, 1536, true), (2, 512, 1536, true), (4, 512, 1536, true), (5, 512, 1536, true), (6, 512, 1536, true), (8, 512, 1536, true),
        (1, 512, 1536, false), (2, 512, 1536, false), (3, 512, 1536, false), (4, 512, 1536, false),
        (5, 256, 1536, true), (5, 1024, 512, true), // a Luong decoder's W_ih e and W_c [c; h] in beam-5 batch-1
        (5, 256, 4000, true), (5, 512, 768, true), (5, 256, 768, true), // the small reference model's output layer, W_c c and W_hh h in beam-5 batch-1
    ];

    public static int Run(string[] args)
    {
        int[] threadCounts = [1, 2];
        int reps = 7;
        bool cpuClock = false, fewRows = false;
        int gapUs = 0;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads" when i + 1 < args.Length && int.TryParse(args[i + 1], out int t) && t >= 1:
                    threadCounts = [t]; i++; break;
                case "--reps" when i + 1 < args.Length && int.TryParse(args[i + 1], out int r) && r >= 1:
                    reps = r; i++; break;
                case "--cpu-time":
                    cpuClock = true; break;
                case "--few-rows":
                    fewRows = true; break;
                case "--gap-us" when i + 1 < args.Length && int.TryParse(args[i + 1], out int g) && g >= 0:
                    gapUs = g; i++; break;
                case "--peak":
                    Int8Peak.Print(); // the fp32 FMA ceiling, then the int8 ones
                    return 0;
                case "-h" or "--help":
                    Console.WriteLine("usage: Attend.Bench gemm [--threads N] [--reps R] [--cpu-time] [--few-rows] | --peak\n" +
                        "  --threads N  measure with N threads only (default: 1 and 2)\n" +
                        "  --reps R     timed repetitions per shape, median reported (default 7)\n" +
                        "  --cpu-time   time by the calling thread's CPU time, not wall time: steadier on a\n" +
                        "               shared machine, but meaningful for --threads 1 only\n" +
                        "  --few-rows   instead of the model's shapes, x·Wᵀ with W stored [n, k] for m = 1, 2, 4, 5, 6, 8\n" +
                        "               rows and n = 8000, 1536, k = 512 (beam search with batch 1; the direct path),\n" +
                        "               and x·B with B stored [k, n] [512, 1536] for m = 1..4; then beam 5's five-row\n" +
                        "               products of the Luong decoder and of the small model\n" +
                        "  --gap-us N   keep the calling thread busy for N µs before each timed product (the other\n" +
                        "               ops of a decoder step), so a worker that sleeps between products shows\n" +
                        "               its wake-up in the product's time (only the product is timed; only the\n" +
                        "               shapes of at most 64 rows)\n" +
                        "  --peak       print one core's fp32 FMA throughput (the ceiling for these figures) and its int8\n" +
                        "               multiply-add ceilings (for `int8`), and exit");
                    return 0;
                default:
                    Console.Error.WriteLine($"gemm: unknown or invalid option '{args[i]}' (try --help)");
                    return 2;
            }
        }

        Console.WriteLine($"GEMM C[m,n] = A[m,k]·op(B), float32, kernel {Gemm.BestKernel}, median of {reps} after warm-up" +
            (gapUs > 0 ? $", {gapUs} µs of other work before each product" : ""));
        Console.WriteLine($"{"m",6} {"k",6} {"n",6} {"B",6} {"threads",8} {"ms",10} {"GFLOP/s",9}");
        var json = new StringBuilder("{\"gemm\":[");
        bool first = true;
        int saved = Parallelism.MaxThreads;
        try
        {
            var shapes = fewRows ? FewRowShapes : Shapes.Select(s => (s.M, s.K, s.N, false)).ToArray();
            // With a gap, only the decoder-step shapes (≤ 64 rows): the point is the hand-over, not the big products.
            if (gapUs > 0) shapes = shapes.Where(s => s.Item1 <= 64).ToArray();
            foreach (var (m, k, n, transB) in shapes)
            {
                var rng = new Random(42);
                float[] a = Fill(rng, m * k), b = Fill(rng, k * n), c = new float[m * n];
                foreach (int threads in threadCounts)
                {
                    Parallelism.MaxThreads = threads;
                    double seconds = gapUs > 0
                        ? MedianSecondsAfterGap(() => Gemm.Multiply(a, b, c, m, n, k, transB: transB), reps, gapUs)
                        : MedianSeconds(() => Gemm.Multiply(a, b, c, m, n, k, transB: transB), reps, cpuClock);
                    double gflops = 2.0 * m * n * k / seconds / 1e9;
                    Console.WriteLine($"{m,6} {k,6} {n,6} {(transB ? "[n,k]" : "[k,n]"),6} {threads,8} {seconds * 1e3,10:F3} {gflops,9:F1}");
                    json.Append(first ? "" : ",").Append(CultureInfo.InvariantCulture,
                        $"{{\"m\":{m},\"k\":{k},\"n\":{n},\"transB\":{(transB ? "true" : "false")},\"threads\":{threads},\"gflops\":{gflops:F1}}}");
                    first = false;
                }
            }
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
        Console.WriteLine(json.Append("]}"));
        return 0;
    }

    /// <summary>Median wall time of one call; each repetition times enough calls to last ~50 ms.</summary>
    internal static double MedianSeconds(Action op, int reps, bool cpuClock)
    {
        Func<double> now = cpuClock ? ThreadCpuSeconds : () => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        // Warm-up: at least two calls and ~0.1 s, so caches, pack buffers and the JIT have settled.
        double start = now();
        int warm = 0;
        do { op(); warm++; } while (warm < 2 || now() - start < 0.1);
        int calls = Math.Max(1, (int)(0.05 / Math.Max((now() - start) / warm, 1e-7)));
        var times = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            start = now();
            for (int i = 0; i < calls; i++) op();
            times[r] = (now() - start) / calls;
        }
        Array.Sort(times);
        return times[reps / 2];
    }

    /// <summary>Median wall time of one call made after <paramref name="gapUs"/> µs of busy work on this thread; only the call is timed.</summary>
    private static double MedianSecondsAfterGap(Action op, int reps, int gapUs)
    {
        long gap = gapUs * Stopwatch.Frequency / 1_000_000;
        for (int i = 0; i < 20; i++) op(); // warm-up
        var times = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            long spent = 0;
            const int calls = 200;
            for (int i = 0; i < calls; i++)
            {
                long until = Stopwatch.GetTimestamp() + gap;
                while (Stopwatch.GetTimestamp() < until) { }
                long t0 = Stopwatch.GetTimestamp();
                op();
                spent += Stopwatch.GetTimestamp() - t0;
            }
            times[r] = spent / (double)Stopwatch.Frequency / calls;
        }
        Array.Sort(times);
        return times[reps / 2];
    }

    private struct TimeSpec { public long Seconds, Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    internal static double ThreadCpuSeconds()
    {
        const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID on Linux
        return ClockGetTime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds + t.Nanoseconds * 1e-9
            : throw new PlatformNotSupportedException("--cpu-time needs clock_gettime (Linux)");
    }

    internal static float[] Fill(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
