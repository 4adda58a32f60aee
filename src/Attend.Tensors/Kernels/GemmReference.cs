namespace Attend.Tensors.Kernels;

/// <summary>
/// The naive triple loop that <see cref="Gemm"/> is tested against. Row-major operands:
/// op(A) is [m, k] (A stored [m, k], or [k, m] when <c>transA</c>), op(B) is [k, n] (B stored [k, n],
/// or [n, k] when <c>transB</c>), C is [m, n]. Accumulates in double.
/// </summary>
internal static class GemmReference
{
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
        int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? c[i * n + j] : 0.0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * m + i] : a[i * k + p];
                    float bv = transB ? b[j * k + p] : b[p * n + j];
                    sum += (double)av * bv;
                }
                c[i * n + j] = (float)sum;
            }
        }
    }
}
