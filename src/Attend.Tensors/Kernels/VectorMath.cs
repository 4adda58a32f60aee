using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Tensors.Kernels;

/// <summary>
/// A float exp for the softmax and cross-entropy kernels, about 1.6× faster here than Vector256.Exp
/// (which widens to double): Cody–Waite range reduction x = k·ln2 + r, |r| ≤ ln2/2, then a degree-7
/// Taylor polynomial (truncation &lt; 1e-8 relative) and the exponent built from k. Measured worst
/// relative error ~7e-8 against Math.Exp. Results below exp(−86.99) ≈ 2e-38 flush to 0; above
/// ln(float.MaxValue) give +∞; NaN stays NaN.
/// </summary>
public static class VectorMath
{
    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693359375f;      // ln 2 split so that k·Ln2Hi is exact for |k| ≤ 128
    private const float Ln2Lo = -2.12194440e-4f;
    private const float Lowest = -86.98f;          // k ≥ −125 so 2^(k−1) is a normal float
    private const float Highest = 88.7228391f;     // ln(float.MaxValue)

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var xc = Vector256.Min(Vector256.Max(x, Vector256.Create(Lowest)), Vector256.Create(Highest));
        var k = Vector256.Round(xc * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Hi), xc);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.Create(1f / 5040);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 720));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 120));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 24));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        // 2^k as 2·2^(k−1), so that k = 128 (x near ln(float.MaxValue)) still has a valid exponent.
        var half = (Vector256.ConvertToInt32(k) + Vector256.Create(126)) << 23;
        var y = p * half.AsSingle() * Vector256.Create(2f);
        y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(Lowest)), Vector256<float>.Zero, y);
        y = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(Highest)), Vector256.Create(float.PositiveInfinity), y);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var xc = Vector512.Min(Vector512.Max(x, Vector512.Create(Lowest)), Vector512.Create(Highest));
        var k = Vector512.Round(xc * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Hi), xc);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.Create(1f / 5040);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 720));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 120));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 24));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        var half = (Vector512.ConvertToInt32(k) + Vector512.Create(126)) << 23;
        var y = p * half.AsSingle() * Vector512.Create(2f);
        y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(Lowest)), Vector512<float>.Zero, y);
        y = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(Highest)), Vector512.Create(float.PositiveInfinity), y);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);
    }
}
