using static Attend.Tensors.Tests.Cells.CellTestKit;

namespace Attend.Tensors.Tests.Cells;

/// <summary>The fused GRU step against the composed float64 reference and against finite differences.</summary>
public class GruCellTests
{
    /// <summary>Random operands of one step; W scaled by 1/√H as PyTorch's init does, so gates are not saturated.</summary>
    private sealed record Case(int B, int H, float[] Gx, float[] Hp, float[] W, float[]? Bias, float[] G)
    {
        public static Case Random(int batch, int hidden, bool bias, int seed)
        {
            var rng = new Random(seed);
            return new Case(batch, hidden, Uniform(rng, batch * 3 * hidden, 1.5), Uniform(rng, batch * hidden, 1),
                Uniform(rng, 3 * hidden * hidden, 1 / Math.Sqrt(hidden)), bias ? Uniform(rng, 3 * hidden, 0.5) : null,
                Uniform(rng, batch * hidden, 1));
        }

        public (Tensor Gx, Tensor H, Tensor W, Tensor? Bias) Leaves() =>
            (Leaf(Gx, B, 3 * H), Leaf(Hp, B, H), Leaf(W, 3 * H, H), Bias is null ? null : Leaf(Bias, 3 * H));
    }

    [Theory]
    [InlineData(0, 4, true)]
    [InlineData(2, 0, true)]
    [InlineData(1, 1, true)]
    [InlineData(1, 8, true)]
    [InlineData(2, 3, true)]
    [InlineData(3, 9, false)]
    [InlineData(4, 17, true)]
    [InlineData(2, 16, true)]
    [InlineData(1, 33, true)]
    public void Forward_and_every_gradient_match_the_float64_composed_reference(int batch, int hidden, bool bias)
    {
        var c = Case.Random(batch, hidden, bias, seed: 100 * batch + hidden);
        var (gx, h, w, b) = c.Leaves();
        var y = Ops.GruCell(gx, h, w, b);
        DotLoss((y, c.G)).Backward();

        double[] rgx = CellReference.ToDouble(c.Gx), rh = CellReference.ToDouble(c.Hp), rw = CellReference.ToDouble(c.W);
        double[] rb = c.Bias is null ? [] : CellReference.ToDouble(c.Bias);
        double[]? RefBias() => c.Bias is null ? null : rb;
        Golden.AssertClose("h'", CellReference.Gru(rgx, rh, rw, RefBias(), batch, hidden), y.Data);

        var grads = CellReference.Gradients(() => CellReference.Dot(CellReference.Gru(rgx, rh, rw, RefBias(), batch, hidden), c.G), rgx, rh, rw, rb);
        Golden.AssertClose("dgx", grads[0], gx.Grad);
        Golden.AssertClose("dh", grads[1], h.Grad);
        Golden.AssertClose("dW_hh", grads[2], w.Grad);
        if (b is not null) Golden.AssertClose("db_hh", grads[3], b.Grad);
    }

    [Theory]
    [InlineData(2, 5)]
    [InlineData(1, 9)]
    public void Fused_gradients_pass_a_float32_central_difference_check(int batch, int hidden)
    {
        var c = Case.Random(batch, hidden, bias: true, seed: 7 + hidden);
        var (gx, h, w, b) = c.Leaves();
        DotLoss((Ops.GruCell(gx, h, w, b), c.G)).Backward();
        FiniteDifference.Check(() =>
        {
            using var _ = GradMode.Off();
            return Dot(Ops.GruCell(gx, h, w, b), c.G);
        }, ("gx", gx), ("h", h), ("W_hh", w), ("b_hh", b!));
    }

    [Fact]
    public void Inference_gives_the_same_bits_and_records_no_graph()
    {
        var c = Case.Random(3, 10, bias: true, seed: 5);
        var (gx, h, w, b) = c.Leaves();
        var trained = Ops.GruCell(gx, h, w, b);
        Tensor inferred;
        using (GradMode.Off()) inferred = Ops.GruCell(gx, h, w, b);
        Assert.False(inferred.RequiresGrad);
        Assert.Equal(trained.ToArray(), inferred.ToArray());
    }

    [Fact]
    public void Mismatched_shapes_name_both_operands()
    {
        var h = Tensor.Zeros(2, 4);
        var e = Assert.Throws<ArgumentException>(() => Ops.GruCell(Tensor.Zeros(2, 16), h, Tensor.Zeros(12, 4), null));
        Assert.Contains("[2, 16]", e.Message);
        Assert.Contains("[2, 4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.GruCell(Tensor.Zeros(2, 12), h, Tensor.Zeros(4, 12), null));
        Assert.Contains("weight_hh [4, 12]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.GruCell(Tensor.Zeros(2, 12), h, Tensor.Zeros(12, 4), Tensor.Zeros(16)));
        Assert.Contains("bias_hh [16]", e.Message);
    }

    internal static double Dot(Tensor y, float[] g)
    {
        double s = 0;
        var d = y.Data;
        for (int i = 0; i < g.Length; i++) s += (double)d[i] * g[i];
        return s;
    }
}
