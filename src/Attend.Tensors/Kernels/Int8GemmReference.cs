namespace Attend.Tensors.Kernels;

/// <summary>
/// The naive int8 product every <see cref="Int8Gemm"/> kernel is checked against: C [m, n] = Σ_k a[i, k]·w[j, k]
/// on plain signed integers (a [m, k], w [n, k], both row-major), exact in int32 for k ≤ <see cref="Int8Weights.MaxK"/>.
/// </summary>
internal static class Int8GemmReference
{
    public static void Multiply(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> w, Span<int> c, int m, int n, int k)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                int sum = 0;
                for (int p = 0; p < k; p++) sum += a[i * k + p] * w[j * k + p];
                c[i * n + j] = sum;
            }
    }
}
