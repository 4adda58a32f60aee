using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Bench;

/// <summary>
/// The FMA ceiling of one core, for reading GEMM figures against: twelve independent accumulator
/// chains (more than FMA latency × FMA ports on current x86 cores), timed by the thread's CPU time.
/// </summary>
public static class FmaPeak
{
    private const long Iterations = 50_000_000;

    /// <summary>Prints the best of three runs per width, in GFLOP/s (2 flops per FMA lane).</summary>
    public static void Print()
    {
        if (Vector512.IsHardwareAccelerated)
            Console.WriteLine($"FMA peak, one thread, Vector512: {Best(() => Zmm(Iterations, 1f), 12 * 16):F1} GFLOP/s");
        if (Vector256.IsHardwareAccelerated)
            Console.WriteLine($"FMA peak, one thread, Vector256: {Best(() => Ymm(Iterations, 1f), 12 * 8):F1} GFLOP/s");
    }

    private static double Best(Func<float> run, int lanes)
    {
        double best = 0;
        for (int r = 0; r < 3; r++)
        {
            double t0 = GemmBench.ThreadCpuSeconds();
            float sink = run();
            double seconds = GemmBench.ThreadCpuSeconds() - t0;
            if (float.IsNaN(sink)) Console.WriteLine("(unexpected NaN)");
            best = Math.Max(best, 2.0 * lanes * Iterations / seconds / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Zmm(long iterations, float x)
    {
        var a = Vector512.Create(x);
        var b = Vector512.Create(0.999f);
        Vector512<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, b, a); c1 = Vector512.FusedMultiplyAdd(c1, b, a);
            c2 = Vector512.FusedMultiplyAdd(c2, b, a); c3 = Vector512.FusedMultiplyAdd(c3, b, a);
            c4 = Vector512.FusedMultiplyAdd(c4, b, a); c5 = Vector512.FusedMultiplyAdd(c5, b, a);
            c6 = Vector512.FusedMultiplyAdd(c6, b, a); c7 = Vector512.FusedMultiplyAdd(c7, b, a);
            c8 = Vector512.FusedMultiplyAdd(c8, b, a); c9 = Vector512.FusedMultiplyAdd(c9, b, a);
            c10 = Vector512.FusedMultiplyAdd(c10, b, a); c11 = Vector512.FusedMultiplyAdd(c11, b, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Ymm(long iterations, float x)
    {
        var a = Vector256.Create(x);
        var b = Vector256.Create(0.999f);
        Vector256<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, b, a); c1 = Vector256.FusedMultiplyAdd(c1, b, a);
            c2 = Vector256.FusedMultiplyAdd(c2, b, a); c3 = Vector256.FusedMultiplyAdd(c3, b, a);
            c4 = Vector256.FusedMultiplyAdd(c4, b, a); c5 = Vector256.FusedMultiplyAdd(c5, b, a);
            c6 = Vector256.FusedMultiplyAdd(c6, b, a); c7 = Vector256.FusedMultiplyAdd(c7, b, a);
            c8 = Vector256.FusedMultiplyAdd(c8, b, a); c9 = Vector256.FusedMultiplyAdd(c9, b, a);
            c10 = Vector256.FusedMultiplyAdd(c10, b, a); c11 = Vector256.FusedMultiplyAdd(c11, b, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
