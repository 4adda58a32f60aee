using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Tensors.Kernels;

// The direct route's kernels for a B stored [k, n] (x·B): rows of B scaled and summed into C, B walked
// row by row so the hardware prefetcher follows it. Routing and helpers are in GemmDirect.cs.
internal static unsafe partial class GemmDirect
{
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
}
