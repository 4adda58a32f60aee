using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Bench;

/// <summary>
/// The int8 multiply-add ceiling of one core, for reading int8 GEMM figures against (as <see cref="FmaPeak"/> is
/// for fp32): twelve independent accumulator chains of vpdpbusd (256 bits, 32 multiply-adds an instruction), and
/// of vpmaddubsw + vpmaddwd + vpaddd (512 and 256 bits, 64 or 32 multiply-adds per three instructions), timed by
/// the thread's CPU time. GOPS count 2 operations per multiply-add, like GFLOP/s. The vpmaddubsw chains feed each
/// accumulator back as the unsigned operand, so the JIT cannot hoist the products out of the loop.
/// </summary>
public static class Int8Peak
{
    private const long Iterations = 50_000_000;

    public static void Print()
    {
        FmaPeak.Print();
        if (AvxVnni.IsSupported)
            Console.WriteLine($"int8 peak, one thread, AvxVnni (vpdpbusd ymm): {Best(() => Vnni(Iterations, 1), 12 * 32):F1} GOPS");
        if (Avx512BW.IsSupported)
            Console.WriteLine($"int8 peak, one thread, Avx512BW (vpmaddubsw+vpmaddwd zmm): {Best(() => MaddZmm(Iterations, 1), 12 * 64):F1} GOPS");
        if (Avx2.IsSupported)
            Console.WriteLine($"int8 peak, one thread, Avx2 (vpmaddubsw+vpmaddwd ymm): {Best(() => MaddYmm(Iterations, 1), 12 * 32):F1} GOPS");
    }

    private static double Best(Func<int> run, int multiplyAdds)
    {
        double best = 0;
        for (int r = 0; r < 3; r++)
        {
            double t0 = GemmBench.ThreadCpuSeconds();
            int sink = run();
            double seconds = GemmBench.ThreadCpuSeconds() - t0;
            if (sink == int.MinValue) Console.WriteLine("(unexpected sum)");
            best = Math.Max(best, 2.0 * multiplyAdds * Iterations / seconds / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Vnni(long iterations, int seed)
    {
        var x = Vector256.Create((byte)(seed + 1));
        var w = Vector256.Create((sbyte)-seed);
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector256<int> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, x, w); c1 = AvxVnni.MultiplyWideningAndAdd(c1, x, w);
            c2 = AvxVnni.MultiplyWideningAndAdd(c2, x, w); c3 = AvxVnni.MultiplyWideningAndAdd(c3, x, w);
            c4 = AvxVnni.MultiplyWideningAndAdd(c4, x, w); c5 = AvxVnni.MultiplyWideningAndAdd(c5, x, w);
            c6 = AvxVnni.MultiplyWideningAndAdd(c6, x, w); c7 = AvxVnni.MultiplyWideningAndAdd(c7, x, w);
            c8 = AvxVnni.MultiplyWideningAndAdd(c8, x, w); c9 = AvxVnni.MultiplyWideningAndAdd(c9, x, w);
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, x, w); c11 = AvxVnni.MultiplyWideningAndAdd(c11, x, w);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int MaddZmm(long iterations, int seed)
    {
        var w = Vector512.Create((sbyte)-seed);
        var ones = Vector512.Create((short)1);
        Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<int> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c0.AsByte(), w), ones);
            c1 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c1.AsByte(), w), ones);
            c2 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c2.AsByte(), w), ones);
            c3 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c3.AsByte(), w), ones);
            c4 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c4.AsByte(), w), ones);
            c5 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c5.AsByte(), w), ones);
            c6 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c6.AsByte(), w), ones);
            c7 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c7.AsByte(), w), ones);
            c8 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c8.AsByte(), w), ones);
            c9 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c9.AsByte(), w), ones);
            c10 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c10.AsByte(), w), ones);
            c11 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(c11.AsByte(), w), ones);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int MaddYmm(long iterations, int seed)
    {
        var w = Vector256.Create((sbyte)-seed);
        var ones = Vector256.Create((short)1);
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector256<int> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c0.AsByte(), w), ones);
            c1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c1.AsByte(), w), ones);
            c2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c2.AsByte(), w), ones);
            c3 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c3.AsByte(), w), ones);
            c4 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c4.AsByte(), w), ones);
            c5 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c5.AsByte(), w), ones);
            c6 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c6.AsByte(), w), ones);
            c7 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c7.AsByte(), w), ones);
            c8 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c8.AsByte(), w), ones);
            c9 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c9.AsByte(), w), ones);
            c10 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c10.AsByte(), w), ones);
            c11 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(c11.AsByte(), w), ones);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
