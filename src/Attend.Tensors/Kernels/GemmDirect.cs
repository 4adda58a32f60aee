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
internal static unsafe class GemmDirect
{
    /// <summary>
    /// Rows up to which the direct path beats packing. Measured on Zen 4 (thread CPU time): for
    /// [m, 512]·[512, 1536] direct wins up to m≈6 with a stored [k, n] B and past m=12 with a stored
    /// [n, k] B (dot products); but a stored [k, n] B too big for the caches ([1024, 8000], 32 MB) is
    /// read a line per row a page apart by the four-row pass, 9 GFLOP/s against packing's 20 at m=4, so
    /// there only a single row (which streams B row by row) goes direct. Dot products with a big
    /// stored [n, k] B still win at m=4 (21 against 10) and tie at m=8.
    /// </summary>
    public static int MaxRows(bool transB, long bElements) => transB ? 8 : bElements > BigB ? 1 : 4;

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
        else if (count <= 6) DotSixRows<TFar>(a, count, b, c, n, k, j0, j1, accumulate);
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

    // Rows a[0..count) (stride k) times B [k, n]: each row of B is read once for all the rows of C,
    // whose [count, j1 - j0] block (a few KB) stays in cache.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyRowsScalar(float* a, int count, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
    {
        if (!accumulate)
            for (int r = 0; r < count; r++) new Span<float>(c + (nint)r * n + j0, j1 - j0).Clear();
        for (int p = 0; p < k; p++)
        {
            float* bp = b + (nint)p * n;
            for (int r = 0; r < count; r++)
            {
                float x = a[(nint)r * k + p];
                float* cr = c + (nint)r * n;
                for (int j = j0; j < j1; j++) cr[j] += x * bp[j];
            }
        }
    }

    // c[j] (+)= a · B[j, :] with B [n, k]: four dot products per sweep share each load of a.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRowsSimd<TFar>(float* a, float* b, float* c, int k, int j0, int j1, bool accumulate)
        where TFar : struct, IFlag
    {
        // The sweep after next's first and third rows; the lines of its second and fourth follow
        // within the same pages, which the hardware prefetcher picks up.
        nint ahead = PrefetchRows * (nint)k;
        int j = j0;
        for (; j + 4 <= j1; j += 4)
        {
            float* b0 = b + (nint)j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            int p = 0;
            for (; p + 8 <= k; p += 8)
            {
                Prefetch<TFar>(b0 + p + ahead, b2 + p + ahead);
                var av = Vector256.Load(a + p);
                s0 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b0 + p), s0);
                s1 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b1 + p), s1);
                s2 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b2 + p), s2);
                s3 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b3 + p), s3);
            }
            float d0 = Vector256.Sum(s0), d1 = Vector256.Sum(s1), d2 = Vector256.Sum(s2), d3 = Vector256.Sum(s3);
            for (; p < k; p++)
            {
                float av = a[p];
                d0 += av * b0[p]; d1 += av * b1[p]; d2 += av * b2[p]; d3 += av * b3[p];
            }
            if (accumulate) { c[j] += d0; c[j + 1] += d1; c[j + 2] += d2; c[j + 3] += d3; }
            else { c[j] = d0; c[j + 1] = d1; c[j + 2] = d2; c[j + 3] = d3; }
        }
        if (j < j1) DotRowsScalar(a, b, c, k, j, j1, accumulate);
    }

    // Rows a[0..count) dotted with rows of B [n, k]: each row of B is read from memory once and then
    // from L1 for the other rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRowsScalar(float* a, int count, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
    {
        for (int j = j0; j < j1; j++)
        {
            float* bj = b + (nint)j * k;
            for (int r = 0; r < count; r++)
            {
                float* ar = a + (nint)r * k;
                float s = 0f;
                for (int p = 0; p < k; p++) s += ar[p] * bj[p];
                float* cj = c + (nint)r * n + j;
                *cj = accumulate ? *cj + s : s;
            }
        }
    }

    private static void DotRowsScalar(float* a, float* b, float* c, int k, int j0, int j1, bool accumulate)
        => DotRowsScalar(a, 1, b, c, 0, k, j0, j1, accumulate);

    // c[j0..j1) (+)= a·B for B [k, n], walking B row by row: each stored row is read front to back,
    // which the hardware prefetcher follows, while c (a few KB) stays in L1. Four rows of B per pass.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StreamRow(float* a, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
    {
        if (!accumulate) new Span<float>(c + j0, j1 - j0).Clear();
        int p = 0;
        for (; p + 4 <= k; p += 4)
        {
            float* r0 = b + (nint)p * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
            float x0 = a[p], x1 = a[p + 1], x2 = a[p + 2], x3 = a[p + 3];
            Vector256<float> v0 = Vector256.Create(x0), v1 = Vector256.Create(x1), v2 = Vector256.Create(x2), v3 = Vector256.Create(x3);
            int j = j0;
            for (; j + 8 <= j1; j += 8)
            {
                var acc = Vector256.Load(c + j);
                acc = Vector256.FusedMultiplyAdd(v0, Vector256.Load(r0 + j), acc);
                acc = Vector256.FusedMultiplyAdd(v1, Vector256.Load(r1 + j), acc);
                acc = Vector256.FusedMultiplyAdd(v2, Vector256.Load(r2 + j), acc);
                acc = Vector256.FusedMultiplyAdd(v3, Vector256.Load(r3 + j), acc);
                acc.Store(c + j);
            }
            for (; j < j1; j++) c[j] += x0 * r0[j] + x1 * r1[j] + x2 * r2[j] + x3 * r3[j];
        }
        for (; p < k; p++)
        {
            float* r0 = b + (nint)p * n;
            float x0 = a[p];
            var v0 = Vector256.Create(x0);
            int j = j0;
            for (; j + 8 <= j1; j += 8) Vector256.FusedMultiplyAdd(v0, Vector256.Load(r0 + j), Vector256.Load(c + j)).Store(c + j);
            for (; j < j1; j++) c[j] += x0 * r0[j];
        }
    }

    // Rows a[0..2) (stride k) times B [k, n], walking B row by row as StreamRow does: each load of B
    // feeds both rows of C (a four-row tile that repeats them would do twice the arithmetic).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StreamTwoRows(float* a, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
    {
        float* a1 = a + k, c1 = c + n;
        if (!accumulate)
        {
            new Span<float>(c + j0, j1 - j0).Clear();
            new Span<float>(c1 + j0, j1 - j0).Clear();
        }
        int p = 0;
        for (; p + 4 <= k; p += 4)
        {
            float* r0 = b + (nint)p * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
            var u0 = Vector256.Create(a[p]); var u1 = Vector256.Create(a[p + 1]);
            var u2 = Vector256.Create(a[p + 2]); var u3 = Vector256.Create(a[p + 3]);
            var v0 = Vector256.Create(a1[p]); var v1 = Vector256.Create(a1[p + 1]);
            var v2 = Vector256.Create(a1[p + 2]); var v3 = Vector256.Create(a1[p + 3]);
            int j = j0;
            for (; j + 8 <= j1; j += 8)
            {
                var b0 = Vector256.Load(r0 + j); var b1 = Vector256.Load(r1 + j);
                var b2 = Vector256.Load(r2 + j); var b3 = Vector256.Load(r3 + j);
                var x = Vector256.Load(c + j);
                x = Vector256.FusedMultiplyAdd(u0, b0, x); x = Vector256.FusedMultiplyAdd(u1, b1, x);
                x = Vector256.FusedMultiplyAdd(u2, b2, x); x = Vector256.FusedMultiplyAdd(u3, b3, x);
                x.Store(c + j);
                var y = Vector256.Load(c1 + j);
                y = Vector256.FusedMultiplyAdd(v0, b0, y); y = Vector256.FusedMultiplyAdd(v1, b1, y);
                y = Vector256.FusedMultiplyAdd(v2, b2, y); y = Vector256.FusedMultiplyAdd(v3, b3, y);
                y.Store(c1 + j);
            }
            for (; j < j1; j++)
            {
                float w0 = r0[j], w1 = r1[j], w2 = r2[j], w3 = r3[j];
                c[j] += a[p] * w0 + a[p + 1] * w1 + a[p + 2] * w2 + a[p + 3] * w3;
                c1[j] += a1[p] * w0 + a1[p + 1] * w1 + a1[p + 2] * w2 + a1[p + 3] * w3;
            }
        }
        for (; p < k; p++)
        {
            float* r0 = b + (nint)p * n;
            float x0 = a[p], y0 = a1[p];
            var u0 = Vector256.Create(x0); var v0 = Vector256.Create(y0);
            int j = j0;
            for (; j + 8 <= j1; j += 8)
            {
                var b0 = Vector256.Load(r0 + j);
                Vector256.FusedMultiplyAdd(u0, b0, Vector256.Load(c + j)).Store(c + j);
                Vector256.FusedMultiplyAdd(v0, b0, Vector256.Load(c1 + j)).Store(c1 + j);
            }
            for (; j < j1; j++) { c[j] += x0 * r0[j]; c1[j] += y0 * r0[j]; }
        }
    }

    // Rows a[0..count) (count 2..4, stride k) times B [k, n] into c rows (stride n): 4×16 tile, 8
    // accumulators. Fewer than four rows repeat the last one (the arithmetic is cheap next to reading
    // B) and store only the real rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyFourRows(float* a, int count, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
    {
        float* a1 = Row(a, 1, count, k), a2 = Row(a, 2, count, k), a3 = Row(a, 3, count, k);
        int j = j0;
        for (; j + 16 <= j1; j += 16)
        {
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
            Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += n)
            {
                var b0 = Vector256.Load(bp);
                var b1 = Vector256.Load(bp + 8);
                var av = Vector256.Create(a[p]);
                s00 = Vector256.FusedMultiplyAdd(av, b0, s00); s01 = Vector256.FusedMultiplyAdd(av, b1, s01);
                av = Vector256.Create(a1[p]);
                s10 = Vector256.FusedMultiplyAdd(av, b0, s10); s11 = Vector256.FusedMultiplyAdd(av, b1, s11);
                av = Vector256.Create(a2[p]);
                s20 = Vector256.FusedMultiplyAdd(av, b0, s20); s21 = Vector256.FusedMultiplyAdd(av, b1, s21);
                av = Vector256.Create(a3[p]);
                s30 = Vector256.FusedMultiplyAdd(av, b0, s30); s31 = Vector256.FusedMultiplyAdd(av, b1, s31);
            }
            float* cj = c + j;
            Put(cj, s00, accumulate); Put(cj + 8, s01, accumulate); cj += n;
            Put(cj, s10, accumulate); Put(cj + 8, s11, accumulate); cj += n;
            if (count > 2) { Put(cj, s20, accumulate); Put(cj + 8, s21, accumulate); cj += n; }
            if (count > 3) { Put(cj, s30, accumulate); Put(cj + 8, s31, accumulate); }
        }
        if (j < j1)
            for (int r = 0; r < count; r++) StreamRow(a + (nint)r * k, b, c + (nint)r * n, n, k, j, j1, accumulate);
    }

    // Rows a[0..2) (stride k) dotted with rows of B [n, k]: 2 rows × 4 columns, 8 accumulators, so
    // two rows do half the arithmetic of a four-row pass that repeats them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTwoRows<TFar>(float* a, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
        where TFar : struct, IFlag
    {
        float* a1 = a + k;
        nint ahead = PrefetchRows * (nint)k;
        int j = j0;
        for (; j + 4 <= j1; j += 4)
        {
            float* w0 = b + (nint)j * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k;
            Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
            Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
            int p = 0;
            for (; p + 8 <= k; p += 8)
            {
                Prefetch<TFar>(w0 + p + ahead, w2 + p + ahead);
                var x0 = Vector256.Load(a + p); var x1 = Vector256.Load(a1 + p);
                var w = Vector256.Load(w0 + p);
                s00 = Vector256.FusedMultiplyAdd(x0, w, s00); s10 = Vector256.FusedMultiplyAdd(x1, w, s10);
                w = Vector256.Load(w1 + p);
                s01 = Vector256.FusedMultiplyAdd(x0, w, s01); s11 = Vector256.FusedMultiplyAdd(x1, w, s11);
                w = Vector256.Load(w2 + p);
                s02 = Vector256.FusedMultiplyAdd(x0, w, s02); s12 = Vector256.FusedMultiplyAdd(x1, w, s12);
                w = Vector256.Load(w3 + p);
                s03 = Vector256.FusedMultiplyAdd(x0, w, s03); s13 = Vector256.FusedMultiplyAdd(x1, w, s13);
            }
            float d00 = Vector256.Sum(s00), d01 = Vector256.Sum(s01), d02 = Vector256.Sum(s02), d03 = Vector256.Sum(s03);
            float d10 = Vector256.Sum(s10), d11 = Vector256.Sum(s11), d12 = Vector256.Sum(s12), d13 = Vector256.Sum(s13);
            for (; p < k; p++)
            {
                float x0 = a[p], x1 = a1[p];
                d00 += x0 * w0[p]; d01 += x0 * w1[p]; d02 += x0 * w2[p]; d03 += x0 * w3[p];
                d10 += x1 * w0[p]; d11 += x1 * w1[p]; d12 += x1 * w2[p]; d13 += x1 * w3[p];
            }
            Put2(c + j, d00, d01, accumulate); Put2(c + j + 2, d02, d03, accumulate);
            Put2(c + n + j, d10, d11, accumulate); Put2(c + n + j + 2, d12, d13, accumulate);
        }
        if (j < j1)
            for (int r = 0; r < 2; r++) DotRowsSimd<TFar>(a + (nint)r * k, b, c + (nint)r * n, k, j, j1, accumulate);
    }

    // Rows a[0..count) (count 2..4, stride k) dotted with rows of B [n, k]: 4 rows × 2 columns, 8
    // accumulators; fewer rows repeat the last one and store only the real rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotFourRows<TFar>(float* a, int count, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
        where TFar : struct, IFlag
    {
        float* a1 = Row(a, 1, count, k), a2 = Row(a, 2, count, k), a3 = Row(a, 3, count, k);
        nint ahead = PrefetchRows * (nint)k;
        int j = j0;
        for (; j + 2 <= j1; j += 2)
        {
            float* w0 = b + (nint)j * k, w1 = w0 + k;
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
            Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
            int p = 0;
            for (; p + 8 <= k; p += 8)
            {
                Prefetch<TFar>(w0 + p + ahead, w1 + p + ahead);
                var x0 = Vector256.Load(a + p); var x1 = Vector256.Load(a1 + p);
                var x2 = Vector256.Load(a2 + p); var x3 = Vector256.Load(a3 + p);
                var w = Vector256.Load(w0 + p);
                s00 = Vector256.FusedMultiplyAdd(x0, w, s00); s10 = Vector256.FusedMultiplyAdd(x1, w, s10);
                s20 = Vector256.FusedMultiplyAdd(x2, w, s20); s30 = Vector256.FusedMultiplyAdd(x3, w, s30);
                w = Vector256.Load(w1 + p);
                s01 = Vector256.FusedMultiplyAdd(x0, w, s01); s11 = Vector256.FusedMultiplyAdd(x1, w, s11);
                s21 = Vector256.FusedMultiplyAdd(x2, w, s21); s31 = Vector256.FusedMultiplyAdd(x3, w, s31);
            }
            float d00 = Vector256.Sum(s00), d01 = Vector256.Sum(s01), d10 = Vector256.Sum(s10), d11 = Vector256.Sum(s11);
            float d20 = Vector256.Sum(s20), d21 = Vector256.Sum(s21), d30 = Vector256.Sum(s30), d31 = Vector256.Sum(s31);
            for (; p < k; p++)
            {
                float u = w0[p], v = w1[p];
                d00 += a[p] * u; d01 += a[p] * v; d10 += a1[p] * u; d11 += a1[p] * v;
                d20 += a2[p] * u; d21 += a2[p] * v; d30 += a3[p] * u; d31 += a3[p] * v;
            }
            Put2(c + j, d00, d01, accumulate);
            Put2(c + n + j, d10, d11, accumulate);
            if (count > 2) Put2(c + 2 * (nint)n + j, d20, d21, accumulate);
            if (count > 3) Put2(c + 3 * (nint)n + j, d30, d31, accumulate);
        }
        if (j < j1)
            for (int r = 0; r < count; r++) DotRowsSimd<TFar>(a + (nint)r * k, b, c + (nint)r * n, k, j, j1, accumulate);
    }

    // Rows a[0..count) (count 7..8, stride k) dotted with rows of B [n, k]: 8 rows × 2 columns, 16
    // accumulators (AVX-512 gives the JIT 32 vector registers), so each row of B is read once for all
    // the rows; seven rows repeat the last one and store only the real rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotEightRows<TFar>(float* a, int count, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
        where TFar : struct, IFlag
    {
        float* a1 = Row(a, 1, count, k), a2 = Row(a, 2, count, k), a3 = Row(a, 3, count, k);
        float* a4 = Row(a, 4, count, k), a5 = Row(a, 5, count, k), a6 = Row(a, 6, count, k), a7 = Row(a, 7, count, k);
        nint ahead = PrefetchRows * (nint)k;
        int j = j0;
        for (; j + 2 <= j1; j += 2)
        {
            float* w0 = b + (nint)j * k, w1 = w0 + k;
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
            Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
            Vector256<float> s40 = default, s41 = default, s50 = default, s51 = default;
            Vector256<float> s60 = default, s61 = default, s70 = default, s71 = default;
            int p = 0;
            for (; p + 8 <= k; p += 8)
            {
                Prefetch<TFar>(w0 + p + ahead, w1 + p + ahead);
                var u = Vector256.Load(w0 + p);
                var v = Vector256.Load(w1 + p);
                var x = Vector256.Load(a + p);
                s00 = Vector256.FusedMultiplyAdd(x, u, s00); s01 = Vector256.FusedMultiplyAdd(x, v, s01);
                x = Vector256.Load(a1 + p);
                s10 = Vector256.FusedMultiplyAdd(x, u, s10); s11 = Vector256.FusedMultiplyAdd(x, v, s11);
                x = Vector256.Load(a2 + p);
                s20 = Vector256.FusedMultiplyAdd(x, u, s20); s21 = Vector256.FusedMultiplyAdd(x, v, s21);
                x = Vector256.Load(a3 + p);
                s30 = Vector256.FusedMultiplyAdd(x, u, s30); s31 = Vector256.FusedMultiplyAdd(x, v, s31);
                x = Vector256.Load(a4 + p);
                s40 = Vector256.FusedMultiplyAdd(x, u, s40); s41 = Vector256.FusedMultiplyAdd(x, v, s41);
                x = Vector256.Load(a5 + p);
                s50 = Vector256.FusedMultiplyAdd(x, u, s50); s51 = Vector256.FusedMultiplyAdd(x, v, s51);
                x = Vector256.Load(a6 + p);
                s60 = Vector256.FusedMultiplyAdd(x, u, s60); s61 = Vector256.FusedMultiplyAdd(x, v, s61);
                x = Vector256.Load(a7 + p);
                s70 = Vector256.FusedMultiplyAdd(x, u, s70); s71 = Vector256.FusedMultiplyAdd(x, v, s71);
            }
            float d00 = Vector256.Sum(s00), d01 = Vector256.Sum(s01), d10 = Vector256.Sum(s10), d11 = Vector256.Sum(s11);
            float d20 = Vector256.Sum(s20), d21 = Vector256.Sum(s21), d30 = Vector256.Sum(s30), d31 = Vector256.Sum(s31);
            float d40 = Vector256.Sum(s40), d41 = Vector256.Sum(s41), d50 = Vector256.Sum(s50), d51 = Vector256.Sum(s51);
            float d60 = Vector256.Sum(s60), d61 = Vector256.Sum(s61), d70 = Vector256.Sum(s70), d71 = Vector256.Sum(s71);
            for (; p < k; p++)
            {
                float u = w0[p], v = w1[p];
                d00 += a[p] * u; d01 += a[p] * v; d10 += a1[p] * u; d11 += a1[p] * v;
                d20 += a2[p] * u; d21 += a2[p] * v; d30 += a3[p] * u; d31 += a3[p] * v;
                d40 += a4[p] * u; d41 += a4[p] * v; d50 += a5[p] * u; d51 += a5[p] * v;
                d60 += a6[p] * u; d61 += a6[p] * v; d70 += a7[p] * u; d71 += a7[p] * v;
            }
            float* cj = c + j;
            Put2(cj, d00, d01, accumulate); cj += n;
            Put2(cj, d10, d11, accumulate); cj += n;
            Put2(cj, d20, d21, accumulate); cj += n;
            Put2(cj, d30, d31, accumulate); cj += n;
            Put2(cj, d40, d41, accumulate); cj += n;
            if (count > 5) { Put2(cj, d50, d51, accumulate); cj += n; }
            if (count > 6) { Put2(cj, d60, d61, accumulate); cj += n; }
            if (count > 7) Put2(cj, d70, d71, accumulate);
        }
        if (j < j1)
            for (int r = 0; r < count; r++) DotRowsSimd<TFar>(a + (nint)r * k, b, c + (nint)r * n, k, j, j1, accumulate);
    }

    // Rows a[0..count) (count 5..6) dotted with rows of B [n, k]: DotSixRows with 6 rows × 2 columns,
    // so five or six rows do three quarters of its arithmetic (which counts when B is in cache).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotSixRows<TFar>(float* a, int count, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
        where TFar : struct, IFlag
    {
        float* a1 = Row(a, 1, count, k), a2 = Row(a, 2, count, k), a3 = Row(a, 3, count, k);
        float* a4 = Row(a, 4, count, k), a5 = Row(a, 5, count, k);
        nint ahead = PrefetchRows * (nint)k;
        int j = j0;
        for (; j + 2 <= j1; j += 2)
        {
            float* w0 = b + (nint)j * k, w1 = w0 + k;
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
            Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
            Vector256<float> s40 = default, s41 = default, s50 = default, s51 = default;
            int p = 0;
            for (; p + 8 <= k; p += 8)
            {
                Prefetch<TFar>(w0 + p + ahead, w1 + p + ahead);
                var u = Vector256.Load(w0 + p);
                var v = Vector256.Load(w1 + p);
                var x = Vector256.Load(a + p);
                s00 = Vector256.FusedMultiplyAdd(x, u, s00); s01 = Vector256.FusedMultiplyAdd(x, v, s01);
                x = Vector256.Load(a1 + p);
                s10 = Vector256.FusedMultiplyAdd(x, u, s10); s11 = Vector256.FusedMultiplyAdd(x, v, s11);
                x = Vector256.Load(a2 + p);
                s20 = Vector256.FusedMultiplyAdd(x, u, s20); s21 = Vector256.FusedMultiplyAdd(x, v, s21);
                x = Vector256.Load(a3 + p);
                s30 = Vector256.FusedMultiplyAdd(x, u, s30); s31 = Vector256.FusedMultiplyAdd(x, v, s31);
                x = Vector256.Load(a4 + p);
                s40 = Vector256.FusedMultiplyAdd(x, u, s40); s41 = Vector256.FusedMultiplyAdd(x, v, s41);
                x = Vector256.Load(a5 + p);
                s50 = Vector256.FusedMultiplyAdd(x, u, s50); s51 = Vector256.FusedMultiplyAdd(x, v, s51);
            }
            float d00 = Vector256.Sum(s00), d01 = Vector256.Sum(s01), d10 = Vector256.Sum(s10), d11 = Vector256.Sum(s11);
            float d20 = Vector256.Sum(s20), d21 = Vector256.Sum(s21), d30 = Vector256.Sum(s30), d31 = Vector256.Sum(s31);
            float d40 = Vector256.Sum(s40), d41 = Vector256.Sum(s41), d50 = Vector256.Sum(s50), d51 = Vector256.Sum(s51);
            for (; p < k; p++)
            {
                float u = w0[p], v = w1[p];
                d00 += a[p] * u; d01 += a[p] * v; d10 += a1[p] * u; d11 += a1[p] * v;
                d20 += a2[p] * u; d21 += a2[p] * v; d30 += a3[p] * u; d31 += a3[p] * v;
                d40 += a4[p] * u; d41 += a4[p] * v; d50 += a5[p] * u; d51 += a5[p] * v;
            }
            float* cj = c + j;
            Put2(cj, d00, d01, accumulate); cj += n;
            Put2(cj, d10, d11, accumulate); cj += n;
            Put2(cj, d20, d21, accumulate); cj += n;
            Put2(cj, d30, d31, accumulate); cj += n;
            Put2(cj, d40, d41, accumulate); cj += n;
            if (count > 5) Put2(cj, d50, d51, accumulate);
        }
        if (j < j1)
            for (int r = 0; r < count; r++) DotRowsSimd<TFar>(a + (nint)r * k, b, c + (nint)r * n, k, j, j1, accumulate);
    }

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
