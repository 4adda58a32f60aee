using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Tensors.Kernels;

/// <summary>
/// Index of the largest value of a row, with the semantics of the scalar loop <see cref="Reference"/>:
/// the first index on ties (−0 and +0 are equal), a NaN is never larger than anything. Greedy decoding
/// takes one per sentence per step over the whole vocabulary (64 × 8000 floats a step for the PyTorch reference's
/// big model, 12% of a greedy batch with the scalar loop).
/// </summary>
/// <remarks>
/// The vector bodies keep, per lane, the largest value seen in that lane and its first index (a strict
/// <c>&gt;</c> keeps the earlier one), then take the largest over the lanes and the smallest index among
/// the lanes holding it: the first index of the maximum, as the scalar loop. A NaN in the first vector
/// would stay a lane's best forever (nothing compares greater), so that rare row is left to the scalar loop.
/// </remarks>
internal static class ArgMax
{
    /// <summary>The naive reference: <c>best = 0; for j: if x[j] &gt; x[best] then best = j</c>.</summary>
    public static int Reference(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("argmax of an empty row");
        int best = 0;
        for (int j = 1; j < x.Length; j++) if (x[j] > x[best]) best = j;
        return best;
    }

    /// <summary>Index of the largest value (first on ties), the widest vectors the CPU accelerates.</summary>
    public static int Of(ReadOnlySpan<float> x) =>
        Vector512.IsHardwareAccelerated ? Of512(x) : Vector256.IsHardwareAccelerated ? Of256(x) : Reference(x);

    internal static int Of512(ReadOnlySpan<float> x)
    {
        int w = Vector512<float>.Count;
        if (x.Length < 2 * w) return Reference(x);
        var best = Vector512.Create(x);
        if (!Vector512.EqualsAll(best, best)) return Reference(x); // a NaN in the first vector
        var index = Vector512<int>.Indices;
        var at = index;
        var step = Vector512.Create(w);
        int j = w;
        for (; j + w <= x.Length; j += w)
        {
            at += step;
            var v = Vector512.Create(x.Slice(j, w));
            var greater = Vector512.GreaterThan(v, best);
            best = Vector512.ConditionalSelect(greater, v, best);
            index = Vector512.ConditionalSelect(greater.AsInt32(), at, index);
        }
        Span<float> values = stackalloc float[Vector512<float>.Count];
        Span<int> indices = stackalloc int[Vector512<int>.Count];
        best.CopyTo(values);
        index.CopyTo(indices);
        return Finish(x, values, indices, j);
    }

    internal static int Of256(ReadOnlySpan<float> x)
    {
        int w = Vector256<float>.Count;
        if (x.Length < 2 * w) return Reference(x);
        var best = Vector256.Create(x);
        if (!Vector256.EqualsAll(best, best)) return Reference(x); // a NaN in the first vector
        var index = Vector256<int>.Indices;
        var at = index;
        var step = Vector256.Create(w);
        int j = w;
        for (; j + w <= x.Length; j += w)
        {
            at += step;
            var v = Vector256.Create(x.Slice(j, w));
            var greater = Vector256.GreaterThan(v, best);
            best = Vector256.ConditionalSelect(greater, v, best);
            index = Vector256.ConditionalSelect(greater.AsInt32(), at, index);
        }
        Span<float> values = stackalloc float[Vector256<float>.Count];
        Span<int> indices = stackalloc int[Vector256<int>.Count];
        best.CopyTo(values);
        index.CopyTo(indices);
        return Finish(x, values, indices, j);
    }

    // The largest lane value and the smallest index holding it, then the scalar loop over the tail x[tail..].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Finish(ReadOnlySpan<float> x, ReadOnlySpan<float> values, ReadOnlySpan<int> indices, int tail)
    {
        int lane = 0;
        for (int l = 1; l < values.Length; l++)
            if (values[l] > values[lane] || (values[l] == values[lane] && indices[l] < indices[lane])) lane = l;
        int best = indices[lane];
        for (int j = tail; j < x.Length; j++) if (x[j] > x[best]) best = j;
        return best;
    }
}
