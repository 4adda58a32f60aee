using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Tensors.Kernels;

/// <summary>
/// GEMM for a handful of rows (a decoder step with batch 1 or a few beams): every element of B is
/// used only m times, so packing B would cost as much as the arithmetic. Streams B directly instead:
/// rows of B scaled and summed (B stored [k, n]) or dot products with rows of B (stored [n, k]).
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
        int i = 0;
        if (simd)
        {
            // Four rows at a time read each element of B once for all four.
            for (; i + 4 <= m; i += 4)
            {
                if (!transB) AxpyFourRows(rows + (nint)i * k, b, c + (nint)i * n, n, k, j0, j1, accumulate);
                else DotFourRows(rows + (nint)i * k, b, c + (nint)i * n, n, k, j0, j1, accumulate);
            }
        }
        for (; i < m; i++)
        {
            float* ai = rows + (nint)i * k;
            float* ci = c + (nint)i * n;
            if (!transB)
            {
                if (simd) StreamRow(ai, b, ci, n, k, j0, j1, accumulate);
                else AxpyRowsScalar(ai, b, ci, n, k, j0, j1, accumulate);
            }
            else
            {
                if (simd) DotRowsSimd(ai, b, ci, k, j0, j1, accumulate);
                else DotRowsScalar(ai, b, ci, k, j0, j1, accumulate);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyRowsScalar(float* a, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
    {
        for (int j = j0; j < j1; j++)
        {
            float s = 0f;
            for (int p = 0; p < k; p++) s += a[p] * b[(nint)p * n + j];
            c[j] = accumulate ? c[j] + s : s;
        }
    }

    // c[j] (+)= a · B[j, :] with B [n, k]: four dot products per sweep share each load of a.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRowsSimd(float* a, float* b, float* c, int k, int j0, int j1, bool accumulate)
    {
        int j = j0;
        for (; j + 4 <= j1; j += 4)
        {
            float* b0 = b + (nint)j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            int p = 0;
            for (; p + 8 <= k; p += 8)
            {
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRowsScalar(float* a, float* b, float* c, int k, int j0, int j1, bool accumulate)
    {
        for (int j = j0; j < j1; j++)
        {
            float* bj = b + (nint)j * k;
            float s = 0f;
            for (int p = 0; p < k; p++) s += a[p] * bj[p];
            c[j] = accumulate ? c[j] + s : s;
        }
    }

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

    // Rows a[0..4) (stride k) times B [k, n] into c rows (stride n): 4×16 tile, 8 accumulators.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyFourRows(float* a, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
    {
        float* a1 = a + k, a2 = a1 + k, a3 = a2 + k;
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
            Put(cj, s20, accumulate); Put(cj + 8, s21, accumulate); cj += n;
            Put(cj, s30, accumulate); Put(cj + 8, s31, accumulate);
        }
        if (j < j1)
            for (int r = 0; r < 4; r++) StreamRow(a + (nint)r * k, b, c + (nint)r * n, n, k, j, j1, accumulate);
    }

    // Rows a[0..4) (stride k) dotted with rows of B [n, k]: 4 rows × 2 columns, 8 accumulators.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotFourRows(float* a, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
    {
        float* a1 = a + k, a2 = a1 + k, a3 = a2 + k;
        int j = j0;
        for (; j + 2 <= j1; j += 2)
        {
            float* w0 = b + (nint)j * k, w1 = w0 + k;
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
            Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
            int p = 0;
            for (; p + 8 <= k; p += 8)
            {
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
            Put2(c + 2 * (nint)n + j, d20, d21, accumulate);
            Put2(c + 3 * (nint)n + j, d30, d31, accumulate);
        }
        if (j < j1)
            for (int r = 0; r < 4; r++) DotRowsSimd(a + (nint)r * k, b, c + (nint)r * n, k, j, j1, accumulate);
    }

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
