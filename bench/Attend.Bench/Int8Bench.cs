using System.Globalization;
using System.Text;
using Attend.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Bench;

/// <summary>
/// int8 against fp32 on the decoder's products x·Wᵀ (W stored [n, k], as Linear weights are): the fp32 GEMM with
/// W packed beforehand (what a decoding batch runs), and <see cref="Int8Gemm"/> with W quantized beforehand and
/// x quantized in the call. The 64-row and 1920-row products of batched decoding, then the one- and five-row
/// products of beam 1 and beam 5 with batch 1, where W stored as bf16 (<see cref="Bf16Gemm"/>) is measured too.
/// Prints a table, then one JSON line.
/// </summary>
public static class Int8Bench
{
    /// <summary>(m, k, n): x is [m, k], W is [n, k].</summary>
    public static readonly (int M, int K, int N)[] Shapes =
    [
        (64, 512, 1536), (64, 512, 8000), (64, 1024, 8000), (1920, 512, 1536), (1920, 512, 8000),
        (1, 512, 8000), (5, 512, 8000), (1, 512, 1536), (5, 512, 1536),
    ];

    public static int Run(string[] args)
    {
        int[] threadCounts = [1, 2];
        int reps = 7;
        bool cpuClock = false;
        var kernel = Int8Kernel.Auto;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads" when i + 1 < args.Length && int.TryParse(args[i + 1], out int t) && t >= 1:
                    threadCounts = [t]; i++; break;
                case "--reps" when i + 1 < args.Length && int.TryParse(args[i + 1], out int r) && r >= 1:
                    reps = r; i++; break;
                case "--kernel" when i + 1 < args.Length:
                    if (!Enum.TryParse<Int8Kernel>(args[i + 1], ignoreCase: true, out var k) || int.TryParse(args[i + 1], out _))
                    {
                        Console.Error.WriteLine($"int8: --kernel '{args[i + 1]}' is not one of {string.Join(", ", Enum.GetNames<Int8Kernel>())}");
                        return 2;
                    }
                    if (!Int8Gemm.IsSupported(k))
                    {
                        Console.Error.WriteLine($"int8: --kernel {k} needs an instruction set this CPU lacks");
                        return 2;
                    }
                    kernel = k; i++; break;
                case "--cpu-time":
                    cpuClock = true; break;
                case "--peak":
                    Int8Peak.Print();
                    return 0;
                case "-h" or "--help":
                    Console.WriteLine("usage: Attend.Bench int8 [--threads N] [--reps R] [--kernel K] [--cpu-time] | --peak\n" +
                        "  --threads N  measure with N threads only (default: 1 and 2)\n" +
                        "  --reps R     timed repetitions per shape, median reported (default 7)\n" +
                        "  --kernel K   the int8 kernel: Auto (default), AvxVnni, Avx512BW, Avx2, Scalar\n" +
                        "  --cpu-time   time by the calling thread's CPU time (meaningful for --threads 1 only)\n" +
                        "  --peak       print one core's fp32 FMA and int8 multiply-add ceilings and exit");
                    return 0;
                default:
                    Console.Error.WriteLine($"int8: unknown or invalid option '{args[i]}' (try --help)");
                    return 2;
            }
        }

        var resolved = kernel == Int8Kernel.Auto ? Int8Gemm.BestKernel : kernel;
        Console.WriteLine($"C[m,n] = x[m,k]·W[n,k]ᵀ: fp32 (kernel {Gemm.BestKernel}, W packed beforehand) against int8 (kernel {resolved}," +
            $" W quantized beforehand, x quantized in the call), median of {reps} after warm-up");
        Console.WriteLine($"{"m",6} {"k",6} {"n",6} {"threads",8} {"fp32 ms",9} {"GFLOP/s",8} {"int8 ms",9} {"GOPS",8} {"speed-up",9} {"bf16 ms",9} {"speed-up",9}");
        var json = new StringBuilder("{\"int8\":[");
        bool first = true;
        int saved = Parallelism.MaxThreads;
        try
        {
            foreach (var (m, k, n) in Shapes)
            {
                var rng = new Random(42);
                float[] x = GemmBench.Fill(rng, m * k), w = GemmBench.Fill(rng, n * k), c = new float[m * n];
                var packed = new GemmPrepacked(n, k);
                packed.Pack(w);
                var quantized = Int8Weights.Quantize(w, n, k);
                var bf16 = m <= Gemm.MaxDirectRows ? Bf16Weights.FromFloat(w, n, k) : null;
                foreach (int threads in threadCounts)
                {
                    Parallelism.MaxThreads = threads;
                    double fp32 = GemmBench.MedianSeconds(() => Gemm.MultiplyPrepacked(x, w, packed, default, c, m, threads: threads), reps, cpuClock);
                    double int8 = GemmBench.MedianSeconds(() => Int8Gemm.Multiply(x, quantized, default, c, m, resolved, threads), reps, cpuClock);
                    double half = bf16 is null ? double.NaN
                        : GemmBench.MedianSeconds(() => Bf16Gemm.Multiply(x, bf16, default, c, m, Bf16Kernel.Auto, threads), reps, cpuClock);
                    double ops = 2.0 * m * n * k;
                    string bf16Columns = bf16 is null ? $"{"-",9} {"-",9}" : $"{half * 1e3,9:F3} {fp32 / half,8:F2}×";
                    Console.WriteLine($"{m,6} {k,6} {n,6} {threads,8} {fp32 * 1e3,9:F3} {ops / fp32 / 1e9,8:F1} {int8 * 1e3,9:F3} {ops / int8 / 1e9,8:F1} {fp32 / int8,8:F2}× {bf16Columns}");
                    json.Append(first ? "" : ",").Append(CultureInfo.InvariantCulture,
                        $"{{\"m\":{m},\"k\":{k},\"n\":{n},\"threads\":{threads},\"fp32_gflops\":{ops / fp32 / 1e9:F1},\"int8_gops\":{ops / int8 / 1e9:F1}");
                    if (bf16 is not null) json.Append(CultureInfo.InvariantCulture, $",\"bf16_gflops\":{ops / half / 1e9:F1}");
                    json.Append('}');
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
}
