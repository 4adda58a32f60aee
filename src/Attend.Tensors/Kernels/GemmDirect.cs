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
    /// <summary>Rows up to which the direct path beats packing.</summary>
    public const int MaxRows = 4;

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
                for (int i = 0; i < m; i++) rows[(nint)i * k + p] = a[(nint)p * m + i];
        }
        for (int i = 0; i < m; i++)
        {
            float* ai = rows + (nint)i * k;
            float* ci = c + (nint)i * n;
            if (!transB)
            {
                if (simd) AxpyRowsSimd(ai, b, ci, n, k, j0, j1, accumulate);
                else AxpyRowsScalar(ai, b, ci, n, k, j0, j1, accumulate);
            }
            else
            {
                if (simd) DotRowsSimd(ai, b, ci, k, j0, j1, accumulate);
                else DotRowsScalar(ai, b, ci, k, j0, j1, accumulate);
            }
        }
    }

    // c[j] (+)= Σ_p a[p]·B[p, j] with B [k, n]: 64 columns (8 accumulators) per sweep over k.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyRowsSimd(float* a, float* b, float* c, int n, int k, int j0, int j1, bool accumulate)
    {
        int j = j0;
        for (; j + 64 <= j1; j += 64)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector256<float> s4 = default, s5 = default, s6 = default, s7 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += n)
            {
                var av = Vector256.Create(a[p]);
                s0 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp), s0);
                s1 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + 8), s1);
                s2 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + 16), s2);
                s3 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + 24), s3);
                s4 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + 32), s4);
                s5 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + 40), s5);
                s6 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + 48), s6);
                s7 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + 56), s7);
            }
            Put(c + j, s0, accumulate); Put(c + j + 8, s1, accumulate);
            Put(c + j + 16, s2, accumulate); Put(c + j + 24, s3, accumulate);
            Put(c + j + 32, s4, accumulate); Put(c + j + 40, s5, accumulate);
            Put(c + j + 48, s6, accumulate); Put(c + j + 56, s7, accumulate);
        }
        for (; j + 8 <= j1; j += 8)
        {
            Vector256<float> s0 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += n) s0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[p]), Vector256.Load(bp), s0);
            Put(c + j, s0, accumulate);
        }
        if (j < j1) AxpyRowsScalar(a, b, c, n, k, j, j1, accumulate);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector256<float> v, bool accumulate)
    {
        if (accumulate) v += Vector256.Load(c);
        v.Store(c);
    }
}
