using System.Runtime.Intrinsics;

namespace Attend.Tensors.Kernels;

/// <summary>
/// The first index whose value is ≥ a threshold (NaN never is), or the row's length when none is: the
/// filter that lets beam search's top-K skip the bulk of a vocabulary row that cannot displace the
/// current K-th best, 16 floats per comparison instead of one double sum each.
/// </summary>
internal static class FirstAtLeast
{
    /// <summary>The naive reference.</summary>
    public static int Reference(ReadOnlySpan<float> x, float threshold)
    {
        for (int i = 0; i < x.Length; i++) if (x[i] >= threshold) return i;
        return x.Length;
    }

    public static int Of(ReadOnlySpan<float> x, float threshold)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var t = Vector512.Create(threshold);
            for (; i + Vector512<float>.Count <= x.Length; i += Vector512<float>.Count)
            {
                var hit = Vector512.GreaterThanOrEqual(Vector512.Create(x.Slice(i, Vector512<float>.Count)), t);
                if (hit != Vector512<float>.Zero) return i + IndexOfFirstSet(hit.ExtractMostSignificantBits());
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var t = Vector256.Create(threshold);
            for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
            {
                var hit = Vector256.GreaterThanOrEqual(Vector256.Create(x.Slice(i, Vector256<float>.Count)), t);
                if (hit != Vector256<float>.Zero) return i + IndexOfFirstSet(hit.ExtractMostSignificantBits());
            }
        }
        for (; i < x.Length; i++) if (x[i] >= threshold) return i;
        return x.Length;
    }

    private static int IndexOfFirstSet(ulong bits) => System.Numerics.BitOperations.TrailingZeroCount(bits);
}
