using System.Runtime.Intrinsics;
using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests;

/// <summary>
/// FloatMath's exp, σ and tanh against the exact value (double precision), counted in units in the last
/// place of the float result, over a sweep of float bit patterns that covers every binade of the range;
/// the scalar body and both vector bodies must give the same bits; the edges (underflow, overflow,
/// ±0, ±∞, NaN) are exact.
/// </summary>
public class FloatMathTests
{
    /// <summary>
    /// Every <paramref name="stride"/>-th float by bit pattern with magnitude up to −lo (negative) and up to hi
    /// (positive): every binade from the denormals up gets its share of points.
    /// </summary>
    private static float[] Sweep(float lo, float hi, int stride)
    {
        var list = new List<float>();
        for (long i = 0; lo < 0 && i <= BitConverter.SingleToInt32Bits(-lo); i += stride) list.Add(-BitConverter.Int32BitsToSingle((int)i));
        for (long i = 0; hi > 0 && i <= BitConverter.SingleToInt32Bits(hi); i += stride) list.Add(BitConverter.Int32BitsToSingle((int)i));
        return [.. list];
    }

    /// <summary>|actual − exact| in ulps of the float nearest to exact.</summary>
    private static double Ulps(float actual, double exact)
    {
        float e = (float)exact;
        if (float.IsInfinity(e)) return float.IsPositiveInfinity(actual) == double.IsPositive(exact) && float.IsInfinity(actual) ? 0 : double.PositiveInfinity;
        double ulp = Math.Max(MathF.BitIncrement(MathF.Abs(e)) - MathF.Abs(e), float.Epsilon);
        return Math.Abs(actual - exact) / ulp;
    }

    private static float[] Vector512Of(float[] x, Func<Vector512<float>, Vector512<float>> f)
    {
        var y = new float[x.Length];
        for (int i = 0; i + 16 <= x.Length; i += 16) f(Vector512.Create(x.AsSpan(i, 16))).CopyTo(y.AsSpan(i));
        for (int i = x.Length / 16 * 16; i < x.Length; i++) y[i] = float.NaN;
        return y;
    }

    private static float[] Vector256Of(float[] x, Func<Vector256<float>, Vector256<float>> f)
    {
        var y = new float[x.Length];
        for (int i = 0; i + 8 <= x.Length; i += 8) f(Vector256.Create(x.AsSpan(i, 8))).CopyTo(y.AsSpan(i));
        for (int i = x.Length / 8 * 8; i < x.Length; i++) y[i] = float.NaN;
        return y;
    }

    private static void Check(float[] x, Func<float, float> scalar, Func<Vector256<float>, Vector256<float>> v256,
        Func<Vector512<float>, Vector512<float>> v512, Func<double, double> exact, double maxUlps, string name)
    {
        var y256 = Vector256Of(x, v256);
        var y512 = Vector512Of(x, v512);
        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float y = scalar(x[i]);
            double u = Ulps(y, exact(x[i]));
            if (u > worst) (worst, worstAt) = (u, x[i]);
            if (i < x.Length / 8 * 8)
                Assert.True(BitConverter.SingleToInt32Bits(y) == BitConverter.SingleToInt32Bits(y256[i]),
                    $"{name}({x[i]:R}): scalar {y:R}, Vector256 {y256[i]:R}");
            if (i < x.Length / 16 * 16)
                Assert.True(BitConverter.SingleToInt32Bits(y) == BitConverter.SingleToInt32Bits(y512[i]),
                    $"{name}({x[i]:R}): scalar {y:R}, Vector512 {y512[i]:R}");
        }
        Assert.True(worst <= maxUlps, $"{name}: {worst:F2} ulp at x = {worstAt:R} (allowed {maxUlps})");
    }

    [Fact]
    public void Exp_is_within_1_5_ulp_from_underflow_to_overflow()
    {
        var x = Sweep(FloatMath.ExpUnderflow, FloatMath.ExpOverflow, 4999);
        Assert.True(x.Length > 400_000);
        Check(x, FloatMath.Exp, FloatMath.Exp, FloatMath.Exp, Math.Exp, 1.5, "exp");
    }

    [Fact]
    public void Sigmoid_is_within_2_5_ulp()
    {
        var x = Sweep(-86f, 100f, 4999);
        Check(x, FloatMath.Sigmoid, FloatMath.Sigmoid, FloatMath.Sigmoid, v => 1 / (1 + Math.Exp(-v)), 2.5, "sigmoid");
    }

    [Fact]
    public void Tanh_is_within_2_ulp()
    {
        var x = Sweep(-20f, 20f, 4999);
        Check(x, FloatMath.Tanh, FloatMath.Tanh, FloatMath.Tanh, Math.Tanh, 2, "tanh");
    }

    [Theory]
    [InlineData(float.NegativeInfinity, 0f)]
    [InlineData(-1000f, 0f)]
    [InlineData(-86.7f, 0f)]
    [InlineData(0f, 1f)]
    [InlineData(88.73f, float.PositiveInfinity)]
    [InlineData(1e30f, float.PositiveInfinity)]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity)]
    [InlineData(float.NaN, float.NaN)]
    public void Exp_edges(float x, float expected)
    {
        Assert.Equal(expected, FloatMath.Exp(x));
        Assert.Equal(expected, FloatMath.Exp(Vector256.Create(x)).GetElement(3));
        Assert.Equal(expected, FloatMath.Exp(Vector512.Create(x)).GetElement(11));
    }

    [Theory]
    [InlineData(float.NegativeInfinity, 0f, -1f)]
    [InlineData(-1000f, 0f, -1f)]
    [InlineData(0f, 0.5f, 0f)]
    [InlineData(1000f, 1f, 1f)]
    [InlineData(float.PositiveInfinity, 1f, 1f)]
    [InlineData(float.NaN, float.NaN, float.NaN)]
    public void Sigmoid_and_tanh_edges(float x, float sigmoid, float tanh)
    {
        Assert.Equal(sigmoid, FloatMath.Sigmoid(x));
        Assert.Equal(sigmoid, FloatMath.Sigmoid(Vector512.Create(x)).GetElement(5));
        Assert.Equal(sigmoid, FloatMath.Sigmoid(Vector256.Create(x)).GetElement(5));
        Assert.Equal(tanh, FloatMath.Tanh(x));
        Assert.Equal(tanh, FloatMath.Tanh(Vector512.Create(x)).GetElement(5));
        Assert.Equal(tanh, FloatMath.Tanh(Vector256.Create(x)).GetElement(5));
    }

    [Fact]
    public void Tanh_keeps_the_sign_of_zero_and_is_odd()
    {
        Assert.True(float.IsNegative(FloatMath.Tanh(-0f)));
        Assert.True(float.IsNegative(FloatMath.Tanh(Vector512.Create(-0f)).GetElement(0)));
        foreach (var v in Sweep(0f, 20f, 4099))
            Assert.Equal(-FloatMath.Tanh(v), FloatMath.Tanh(-v));
    }
}
