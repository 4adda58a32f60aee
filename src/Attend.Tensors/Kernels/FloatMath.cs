using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Tensors.Kernels;

/// <summary>
/// exp, σ and tanh evaluated in single precision, for the softmax, cross-entropy and gate kernels.
/// </summary>
/// <remarks>
/// .NET's <c>Vector512.Exp(Vector512&lt;float&gt;)</c> and <c>TensorPrimitives.Exp/Sigmoid/Tanh</c> widen every
/// float to double and evaluate there, 15% of a small-model training step in a profile on a Zen 4
/// (timings: docs/performance.md). Here: Cody–Waite reduction x = n·ln2 + r with |r| ≤ ln2/2, Cephes' degree-6
/// polynomial for eʳ, and 2ⁿ built in the exponent bits. Worst error against the exact value over
/// FloatMathTests' sweep of the range: exp 0.98 ulp, σ 1.98, tanh 1.21 (the tests allow 1.5, 2.5, 2); results below 2⁻¹²⁵ (x &lt; −86.6) flush to 0, x &gt; 88.72 gives +∞,
/// NaN stays NaN. The scalar and both vector bodies run the same operations in the same order with
/// fused multiply–adds, so a value does not depend on the lane or the tail it lands in.
/// tanh uses its odd Taylor series up to x²¹ for |x| &lt; 0.625 and 1 − 2/(e^(2|x|) + 1) above.
/// </remarks>
internal static class FloatMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f; // ln 2 = Hi + Lo, Hi with 9 bits
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
        P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    /// <summary>Below this eˣ &lt; 2⁻¹²⁵ is returned as 0 (so 2ⁿ⁻¹ stays a normal number).</summary>
    public const float ExpUnderflow = -86.64f;
    /// <summary>Above this eˣ overflows float.</summary>
    public const float ExpOverflow = 88.7228394f;
    private const float TanhSmall = 0.625f;
    // tanh x = x + x³·Σ Tₖ (x²)ᵏ, Taylor coefficients 2²ⁿ(2²ⁿ − 1)B₂ₙ/(2n)!, highest first.
    private const float T9 = 9.69154299e-5f, T8 = -2.39129114e-4f, T7 = 5.90027440e-4f, T6 = -1.45583438e-3f,
        T5 = 3.59212803e-3f, T4 = -8.86323552e-3f, T3 = 2.18694885e-2f, T2 = -5.39682540e-2f,
        T1 = 1.33333333e-1f, T0 = -3.33333333e-1f;

    /// <summary>eˣ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        float n = MathF.Round(x * Log2E);
        float r = MathF.FusedMultiplyAdd(n, -Ln2Hi, x);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        float p = MathF.FusedMultiplyAdd(P0, r, P1);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P5);
        p = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        if (!(x >= ExpUnderflow)) return float.IsNaN(x) ? x : 0f;
        if (x > ExpOverflow) return float.PositiveInfinity;
        // 2ⁿ = 2ⁿ⁻¹·2 so that n = 128 (x just below the overflow bound) stays representable.
        float scale = BitConverter.Int32BitsToSingle(((int)n + 126) << 23);
        return p * scale * 2f;
    }

    /// <summary>eˣ per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var n = Vector512.Round(x * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        Vector512<float> y;
        if (Avx512F.IsSupported)
        {
            // vscalefps: p·2ⁿ exactly (the same bits as the exponent construction below), NaN stays NaN.
            y = Avx512F.Scale(p, n);
        }
        else
        {
            var scale = (Vector512.ConvertToInt32(n) + Vector512.Create(126)) << 23;
            y = p * scale.AsSingle() * Vector512.Create(2f);
            y = Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);
        }
        // NaN compares false both times, so it passes through.
        y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(ExpUnderflow)), Vector512<float>.Zero, y);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(ExpOverflow)), Vector512.Create(float.PositiveInfinity), y);
    }

    /// <summary>eˣ per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        Vector256<float> y;
        if (Avx512F.VL.IsSupported) y = Avx512F.VL.Scale(p, n);
        else
        {
            var scale = (Vector256.ConvertToInt32(n) + Vector256.Create(126)) << 23;
            y = p * scale.AsSingle() * Vector256.Create(2f);
            y = Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
        }
        y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(ExpUnderflow)), Vector256<float>.Zero, y);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(ExpOverflow)), Vector256.Create(float.PositiveInfinity), y);
    }

    /// <summary>σ(x) = 1 / (1 + e⁻ˣ).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + Exp(-x));

    /// <summary>σ per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

    /// <summary>σ per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));

    /// <summary>tanh(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x)
    {
        float a = MathF.Abs(x), u = a * a;
        float p = MathF.FusedMultiplyAdd(T9, u, T8);
        p = MathF.FusedMultiplyAdd(p, u, T7);
        p = MathF.FusedMultiplyAdd(p, u, T6);
        p = MathF.FusedMultiplyAdd(p, u, T5);
        p = MathF.FusedMultiplyAdd(p, u, T4);
        p = MathF.FusedMultiplyAdd(p, u, T3);
        p = MathF.FusedMultiplyAdd(p, u, T2);
        p = MathF.FusedMultiplyAdd(p, u, T1);
        p = MathF.FusedMultiplyAdd(p, u, T0);
        float small = MathF.FusedMultiplyAdd(p * u, a, a);
        float large = 1f - 2f / (Exp(2f * a) + 1f);
        return MathF.CopySign(a < TanhSmall ? small : large, x);
    }

    /// <summary>tanh per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var sign = Vector512.Create(-0f);
        var a = Vector512.AndNot(x, sign);
        var u = a * a;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(T9), u, Vector512.Create(T8));
        p = Vector512.FusedMultiplyAdd(p, u, Vector512.Create(T7));
        p = Vector512.FusedMultiplyAdd(p, u, Vector512.Create(T6));
        p = Vector512.FusedMultiplyAdd(p, u, Vector512.Create(T5));
        p = Vector512.FusedMultiplyAdd(p, u, Vector512.Create(T4));
        p = Vector512.FusedMultiplyAdd(p, u, Vector512.Create(T3));
        p = Vector512.FusedMultiplyAdd(p, u, Vector512.Create(T2));
        p = Vector512.FusedMultiplyAdd(p, u, Vector512.Create(T1));
        p = Vector512.FusedMultiplyAdd(p, u, Vector512.Create(T0));
        var small = Vector512.FusedMultiplyAdd(p * u, a, a);
        var one = Vector512<float>.One;
        var large = one - Vector512.Create(2f) / (Exp(Vector512.Create(2f) * a) + one);
        var y = Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(TanhSmall)), small, large);
        return y | (x & sign);
    }

    /// <summary>tanh per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var sign = Vector256.Create(-0f);
        var a = Vector256.AndNot(x, sign);
        var u = a * a;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(T9), u, Vector256.Create(T8));
        p = Vector256.FusedMultiplyAdd(p, u, Vector256.Create(T7));
        p = Vector256.FusedMultiplyAdd(p, u, Vector256.Create(T6));
        p = Vector256.FusedMultiplyAdd(p, u, Vector256.Create(T5));
        p = Vector256.FusedMultiplyAdd(p, u, Vector256.Create(T4));
        p = Vector256.FusedMultiplyAdd(p, u, Vector256.Create(T3));
        p = Vector256.FusedMultiplyAdd(p, u, Vector256.Create(T2));
        p = Vector256.FusedMultiplyAdd(p, u, Vector256.Create(T1));
        p = Vector256.FusedMultiplyAdd(p, u, Vector256.Create(T0));
        var small = Vector256.FusedMultiplyAdd(p * u, a, a);
        var one = Vector256<float>.One;
        var large = one - Vector256.Create(2f) / (Exp(Vector256.Create(2f) * a) + one);
        var y = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(TanhSmall)), small, large);
        return y | (x & sign);
    }
}

/// <summary>x → eˣ (<see cref="FloatMath.Exp(float)"/>).</summary>
internal readonly struct ExpOp : IUnaryOperator
{
    public float Invoke(float x) => FloatMath.Exp(x);
    public Vector256<float> Invoke(Vector256<float> x) => FloatMath.Exp(x);
    public Vector512<float> Invoke(Vector512<float> x) => FloatMath.Exp(x);
}

/// <summary>x → σ(x).</summary>
internal readonly struct SigmoidOp : IUnaryOperator
{
    public float Invoke(float x) => FloatMath.Sigmoid(x);
    public Vector256<float> Invoke(Vector256<float> x) => FloatMath.Sigmoid(x);
    public Vector512<float> Invoke(Vector512<float> x) => FloatMath.Sigmoid(x);
}

/// <summary>x → tanh(x).</summary>
internal readonly struct TanhOp : IUnaryOperator
{
    public float Invoke(float x) => FloatMath.Tanh(x);
    public Vector256<float> Invoke(Vector256<float> x) => FloatMath.Tanh(x);
    public Vector512<float> Invoke(Vector512<float> x) => FloatMath.Tanh(x);
}

/// <summary>(x, y) → tanh(x + y): the additive attention's hidden layer in one pass.</summary>
internal readonly struct AddTanhOp : IBinaryOperator
{
    public float Invoke(float x, float y) => FloatMath.Tanh(x + y);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => FloatMath.Tanh(x + y);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => FloatMath.Tanh(x + y);
}
