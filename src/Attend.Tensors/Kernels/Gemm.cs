namespace Attend.Tensors.Kernels;

/// <summary>
/// C = op(A)·op(B) (or C += … when <c>accumulate</c>), row-major, contiguous operands:
/// op(A) is [m, k] (A stored [m, k], or [k, m] when <c>transA</c>), op(B) is [k, n] (B stored
/// [k, n], or [n, k] when <c>transB</c>), C is [m, n]. Transposes are handled by packing, never by
/// materialising the transposed matrix. <see cref="GemmReference"/> is the naive reference.
/// </summary>
public static class Gemm
{
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
        int m, int n, int k, bool transA = false, bool transB = false, bool accumulate = false)
    {
        Check(a, b, c, m, n, k);
        // Placeholder until the packed kernel lands: the reference is exact, just slow.
        GemmReference.Multiply(a, b, c, m, n, k, transA, transB, accumulate);
    }

    internal static void Check(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"Gemm: negative size m={m} n={n} k={k}");
        if (a.Length < (long)m * k) throw new ArgumentException($"Gemm: A has {a.Length} elements, needs m*k = {m}*{k}");
        if (b.Length < (long)k * n) throw new ArgumentException($"Gemm: B has {b.Length} elements, needs k*n = {k}*{n}");
        if (c.Length < (long)m * n) throw new ArgumentException($"Gemm: C has {c.Length} elements, needs m*n = {m}*{n}");
    }
}
