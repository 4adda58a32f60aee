using Attend.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests;

/// <summary>
/// Every operator through the driver, at every SIMD width (Vector512 runs emulated where it is not
/// accelerated), at every length 0..257 so each tail path runs, against a naive double formula.
/// </summary>
public class ElementwiseTests
{
    private static readonly SimdWidth[] Widths = [SimdWidth.Scalar, SimdWidth.V256, SimdWidth.V512, SimdWidth.Auto];
    private const int MaxLength = 257;

    private static float[] Draw(Rng rng, int n, Func<Rng, float> gen)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = gen(rng);
        return a;
    }

    private static float Normal(Rng r) => (float)r.NextNormal();
    private static float Open1(Rng r) => r.NextFloat() * 1.98f - 0.99f;
    private static float Prob(Rng r) => r.NextFloat();
    private static float Positive(Rng r) => 0.5f + 2f * r.NextFloat();
    private static float Bit(Rng r) => r.NextInt(2);

    private static void Close(double expected, float actual, double scale, Func<string> where)
    {
        double tol = 1e-6 + 4e-6 * Math.Max(1.0, scale);
        if (Math.Abs(expected - actual) <= tol || expected == actual) return;
        Assert.Fail($"{where()}: expected {expected:G9}, got {actual:G9}");
    }

    private static void Unary<TOp>(TOp op, Func<double, double> reference, Func<Rng, float> gen) where TOp : struct, IUnaryOperator
    {
        var rng = new Rng(1);
        foreach (var w in Widths)
            for (int n = 0; n <= MaxLength; n++)
            {
                var x = Draw(rng, n, gen);
                var acc = Draw(rng, n, Normal);
                var dst = new float[n];
                var sum = acc.ToArray();
                Elementwise.Map(x, dst, op, w);
                Elementwise.Accumulate(x, sum, op, w);
                double total = 0, mag = 0;
                for (int i = 0; i < n; i++)
                {
                    double r = reference(x[i]);
                    total += r;
                    mag += Math.Abs(r);
                    Close(r, dst[i], Math.Abs(r), () => $"{typeof(TOp).Name} {w} n={n} i={i}");
                    Close(acc[i] + r, sum[i], Math.Abs(acc[i]) + Math.Abs(r), () => $"{typeof(TOp).Name} accumulate {w} n={n} i={i}");
                }
                Close(total, Elementwise.SumOf(x, op, w), mag, () => $"{typeof(TOp).Name} SumOf {w} n={n}");
            }
    }

    private static void Binary<TOp>(TOp op, Func<double, double, double> reference, Func<Rng, float> genX, Func<Rng, float> genY)
        where TOp : struct, IBinaryOperator
    {
        var rng = new Rng(2);
        foreach (var w in Widths)
            for (int n = 0; n <= MaxLength; n++)
            {
                var x = Draw(rng, n, genX);
                var y = Draw(rng, n, genY);
                var acc = Draw(rng, n, Normal);
                var dst = new float[n];
                var sum = acc.ToArray();
                Elementwise.Map(x, y, dst, op, w);
                Elementwise.Accumulate(x, y, sum, op, w);
                for (int i = 0; i < n; i++)
                {
                    double r = reference(x[i], y[i]);
                    Close(r, dst[i], Math.Abs(r), () => $"{typeof(TOp).Name} {w} n={n} i={i}");
                    Close(acc[i] + r, sum[i], Math.Abs(acc[i]) + Math.Abs(r), () => $"{typeof(TOp).Name} accumulate {w} n={n} i={i}");
                }
            }
    }

    private static void Ternary<TOp>(TOp op, Func<double, double, double, double> reference,
        Func<Rng, float> genX, Func<Rng, float> genY, Func<Rng, float> genZ) where TOp : struct, ITernaryOperator
    {
        var rng = new Rng(3);
        foreach (var w in Widths)
            for (int n = 0; n <= MaxLength; n++)
            {
                var x = Draw(rng, n, genX);
                var y = Draw(rng, n, genY);
                var z = Draw(rng, n, genZ);
                var acc = Draw(rng, n, Normal);
                var dst = new float[n];
                var sum = acc.ToArray();
                Elementwise.Map(x, y, z, dst, op, w);
                Elementwise.Accumulate(x, y, z, sum, op, w);
                for (int i = 0; i < n; i++)
                {
                    double r = reference(x[i], y[i], z[i]);
                    Close(r, dst[i], Math.Abs(r), () => $"{typeof(TOp).Name} {w} n={n} i={i}");
                    Close(acc[i] + r, sum[i], Math.Abs(acc[i]) + Math.Abs(r), () => $"{typeof(TOp).Name} accumulate {w} n={n} i={i}");
                }
            }
    }

    [Fact] public void TanhGrad() => Binary(new TanhGrad(), (y, dy) => dy * (1 - y * y), Open1, Normal);
    [Fact] public void SigmoidGrad() => Binary(new SigmoidGrad(), (y, dy) => dy * y * (1 - y), Prob, Normal);
    [Fact] public void ReluGrad() => Binary(new ReluGrad(), (y, dy) => y > 0 ? dy : 0, r => Math.Max(0f, Normal(r)), Normal);
    [Fact] public void DivideGrad() => Binary(new DivideGrad(), (dy, b) => dy / b, Normal, Positive);
    [Fact] public void DivideGradRight() => Ternary(new DivideGradRight(), (dy, y, b) => -dy * y / b, Normal, Normal, Positive);
    [Fact] public void SoftmaxGrad() => Binary(new SoftmaxGrad(0.3f), (y, dy) => y * (dy - 0.3f), Prob, Normal);
    [Fact]
    public void MaskedSoftmaxGrad() =>
        Ternary(new MaskedSoftmaxGrad(-0.7f), (y, dy, m) => m != 0 ? y * (dy + 0.7f) : 0, Prob, Normal, Bit);
    [Fact] public void LogSoftmaxGrad() => Binary(new LogSoftmaxGrad(1.5f), (y, dy) => dy - Math.Exp(y) * 1.5f, r => -3f * Prob(r), Normal);
    [Fact] public void ExpShift() => Unary(new ExpShift(0.25f), x => Math.Exp(x - 0.25f), r => 3f * Normal(r));
    [Fact] public void MaskedFill() => Binary(new MaskedFill(), (x, m) => m != 0 ? x : double.NegativeInfinity, Normal, Bit);
    [Fact] public void MaskedExpShift() => Binary(new MaskedExpShift(1f), (x, m) => m != 0 ? Math.Exp(x - 1) : 0, Normal, Bit);
    [Fact]
    public void CrossEntropyGrad() =>
        Unary(new CrossEntropyGrad(2f, 0.125f, 0.01f), x => 0.125f * Math.Exp(x - 2f) - 0.01f, Normal);

    [Fact]
    public void Masked_operators_give_exact_zeros_even_for_non_finite_inputs()
    {
        float[] x = [float.PositiveInfinity, float.NaN, 1e30f, 3f, float.MaxValue, 0f, 2f, 1f, float.NaN];
        float[] m = [0, 0, 0, 1, 0, 1, 1, 1, 0];
        foreach (var w in Widths)
        {
            var e = new float[x.Length];
            Elementwise.Map(x, m, e, new MaskedExpShift(3f), w);
            var g = new float[x.Length];
            Elementwise.Map(e, x, m, g, new MaskedSoftmaxGrad(0.5f), w);
            for (int i = 0; i < x.Length; i++)
                if (m[i] == 0) { Assert.Equal(0f, e[i]); Assert.Equal(0f, g[i]); }
        }
    }

    [Fact]
    public void In_place_use_reads_each_element_before_writing_it()
    {
        var rng = new Rng(4);
        foreach (var w in Widths)
            for (int n = 0; n <= 40; n++)
            {
                var y = Draw(rng, n, Open1);
                var dy = Draw(rng, n, Normal);
                var expected = new float[n];
                Elementwise.Map(y, dy, expected, new TanhGrad(), w);
                Elementwise.Map(y, dy, dy, new TanhGrad(), w); // dst is dy itself
                Assert.Equal(expected, dy);
            }
    }

    [Fact]
    public void Mismatched_lengths_are_an_error()
    {
        Assert.Throws<ArgumentException>(() => Elementwise.Map(new float[3], new float[4], new float[3], new TanhGrad()));
    }
}
