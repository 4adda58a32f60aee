using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Tensors.Kernels;

// The direct route's kernels for a B stored [n, k] (x·Wᵀ, the weight case): dot products of the rows
// of A with rows of B, one kernel per row count so all of them share each read of B. Routing and
// helpers are in GemmDirect.cs.
internal static unsafe partial class GemmDirect
{
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

    // Five rows dotted with rows of B [n, k] (beam 5 with batch 1), 5 rows × 2 columns: DotSixRows would
    // spend a sixth of its FMAs on a repeated row, which counts when B is in cache (the small model's
    // weights). Each sum runs in DotSixRows' order, so five rows give the bits of the first five of six.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotFiveRows<TFar>(float* a, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
        where TFar : struct, IFlag
    {
        float* a1 = a + k, a2 = a1 + k, a3 = a2 + k, a4 = a3 + k;
        nint ahead = PrefetchRows * (nint)k;
        int j = j0;
        for (; j + 2 <= j1; j += 2)
        {
            float* w0 = b + (nint)j * k, w1 = w0 + k;
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
            Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
            Vector256<float> s40 = default, s41 = default;
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
            }
            float d00 = Vector256.Sum(s00), d01 = Vector256.Sum(s01), d10 = Vector256.Sum(s10), d11 = Vector256.Sum(s11);
            float d20 = Vector256.Sum(s20), d21 = Vector256.Sum(s21), d30 = Vector256.Sum(s30), d31 = Vector256.Sum(s31);
            float d40 = Vector256.Sum(s40), d41 = Vector256.Sum(s41);
            for (; p < k; p++)
            {
                float u = w0[p], v = w1[p];
                d00 += a[p] * u; d01 += a[p] * v; d10 += a1[p] * u; d11 += a1[p] * v;
                d20 += a2[p] * u; d21 += a2[p] * v; d30 += a3[p] * u; d31 += a3[p] * v;
                d40 += a4[p] * u; d41 += a4[p] * v;
            }
            float* cj = c + j;
            Put2(cj, d00, d01, accumulate); cj += n;
            Put2(cj, d10, d11, accumulate); cj += n;
            Put2(cj, d20, d21, accumulate); cj += n;
            Put2(cj, d30, d31, accumulate); cj += n;
            Put2(cj, d40, d41, accumulate);
        }
        if (j < j1)
            for (int r = 0; r < 5; r++) DotRowsSimd<TFar>(a + (nint)r * k, b, c + (nint)r * n, k, j, j1, accumulate);
    }

    // Six rows dotted with rows of B [n, k], 6 rows × 2 columns.
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
}
