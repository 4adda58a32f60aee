using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Tensors.Kernels;

/// <summary>
/// GEMM for a handful of rows (a decoder step with batch 1 or a few beams): every element of B is
/// used only m times, so packing B would cost as much as the arithmetic. Streams B directly instead:
/// rows of B scaled and summed (B stored [k, n]) or dot products with rows of B (stored [n, k]).
/// All the rows the routes send here (up to 8 with a stored [n, k] B, up to 4 otherwise) are served
/// by one pass over B, with their accumulators in registers: B is what streams from memory, so a
/// second pass for leftover rows would nearly double the time (beam 5 with batch 1 did a four-row
/// and a one-row pass over each weight). The kernels use 256-bit vectors under both the Vector256 and
/// the Vector512 kernel choice (memory-bound, and Zen 4 splits 512-bit FMAs in halves anyway).
/// </summary>
internal static unsafe partial class GemmDirect
{
    /// <summary>
    /// Rows up to which the direct path beats packing. Measured on Zen 4 (thread CPU time): for
    /// [m, 512]·[512, 1536] direct wins up to m≈6 with a stored [k, n] B and past m=12 with a stored
    /// [n, k] B (dot products); but a stored [k, n] B too big for the caches ([1024, 8000], 32 MB) is
    /// read a line per row a page apart by the four-row pass, 9 GFLOP/s against packing's 20 at m=4, so
    /// there only a single row (which streams B row by row) goes direct. Dot products with a big
    /// stored [n, k] B still win at m=4 (21 against 10) and tie at m=8.
    /// </summary>
    public static int MaxRows(bool transB, long bElements) => transB ? Gemm.MaxDirectRows : bElements > BigB ? 1 : 4;

    /// <summary>A B of more floats than this (8 MB) is taken to stream from DRAM.</summary>
    private const long BigB = 2L << 20;

    /// <summary>C[·, j0..j1) for all m rows; <paramref name="simd"/> picks Vector256 over scalar code.</summary>
    public static void Run(float* a, bool transA, float* b, bool transB, float* c,
        int m, int n, int k, int j0, int j1, bool accumulate, bool simd)
    {
        float* rows = a;
        if (transA)
        {
            // op(A) rows are strided columns of A: gather them once so the inner loops read contiguously.
            rows = GemmBuffers.Rows(m * k);
            for (int p = 0; p < k; p++)
                for (int r = 0; r < m; r++) rows[(nint)r * k + p] = a[(nint)p * m + r];
        }
        // Every group of rows is one pass over B: B is what streams from memory (16 MB for an output
        // layer [8000, 512]), so a second pass for the leftover rows would nearly double the time.
        // The routes send at most 8 rows here (4 with a stored [k, n] B); forced larger m just takes
        // one pass per group.
        int group = transB ? 8 : 4;
        for (int i = 0; i < m; i += group)
        {
            int count = Math.Min(group, m - i);
            float* ai = rows + (nint)i * k;
            float* ci = c + (nint)i * n;
            if (!simd)
            {
                if (transB) DotRowsScalar(ai, count, b, ci, n, k, j0, j1, accumulate);
                else AxpyRowsScalar(ai, count, b, ci, n, k, j0, j1, accumulate);
            }
            else if (transB)
            {
                // Prefetching rows ahead pays for a B from DRAM but costs ~10% on one held in L3.
                if ((long)n * k > BigB) DotRows<Far>(ai, count, b, ci, n, k, j0, j1, accumulate);
                else DotRows<Near>(ai, count, b, ci, n, k, j0, j1, accumulate);
            }
            else if (count == 1) StreamRow(ai, b, ci, n, k, j0, j1, accumulate);
            else if (count == 2) StreamTwoRows(ai, b, ci, n, k, j0, j1, accumulate);
            else AxpyFourRows(ai, count, b, ci, n, k, j0, j1, accumulate);
        }
    }

    private static void DotRows<TFar>(float* a, int count, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
        where TFar : struct, IFlag
    {
        if (count == 1) DotRowsSimd<TFar>(a, b, c, k, j0, j1, accumulate);
        else if (count == 2) DotTwoRows<TFar>(a, b, c, n, k, j0, j1, accumulate);
        else if (count <= 4) DotFourRows<TFar>(a, count, b, c, n, k, j0, j1, accumulate);
        else if (count == 5) DotFiveRows<TFar>(a, b, c, n, k, j0, j1, accumulate);
        else if (count == 6) DotSixRows<TFar>(a, count, b, c, n, k, j0, j1, accumulate);
        else if (Avx512F.IsSupported) DotEightRows<TFar>(a, count, b, c, n, k, j0, j1, accumulate);
        else
        {
            // 16 accumulators spill with only 16 vector registers (0.85× of two four-row passes on a
            // B in L3): two four-row passes per block of 64 rows of B instead, the second reading
            // the block (64·k floats) from L2, so B still streams from memory once.
            for (int jb = j0; jb < j1; jb += 64)
            {
                int je = Math.Min(j1, jb + 64);
                DotFourRows<TFar>(a, 4, b, c, n, k, jb, je, accumulate);
                DotFourRows<TFar>(a + 4 * (nint)k, count - 4, b, c + 4 * (nint)n, n, k, jb, je, accumulate);
            }
        }
    }

    /// <summary>A compile-time switch: the JIT specialises each kernel per struct and drops the dead branch.</summary>
    internal interface IFlag { static abstract bool On { get; } }
    private struct Far : IFlag { public static bool On => true; }
    private struct Near : IFlag { public static bool On => false; }

    /// <summary>
    /// How many rows of a stored [n, k] B ahead the multi-row dot kernels prefetch. They read only two
    /// rows of B at a time, too few streams for the hardware prefetcher to keep DRAM busy.
    /// </summary>
    private const int PrefetchRows = 4;

    // Prefetches the lines holding two addresses (a prefetch never faults, even past the end of B).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch<TFar>(float* x, float* y) where TFar : struct, IFlag
    {
        if (TFar.On && Sse.IsSupported) { Sse.Prefetch0(x); Sse.Prefetch0(y); }
    }

    /// <summary>Row r of a block of <paramref name="count"/> rows (stride k), the last one for r past it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Row(float* a, int r, int count, int k) => a + (nint)Math.Min(r, count - 1) * k;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put2(float* c, float v0, float v1, bool accumulate)
    {
        if (accumulate) { c[0] += v0; c[1] += v1; }
        else { c[0] = v0; c[1] = v1; }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector256<float> v, bool accumulate)
    {
        if (accumulate) v += Vector256.Load(c);
        v.Store(c);
    }
}
