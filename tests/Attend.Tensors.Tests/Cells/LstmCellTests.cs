using static Attend.Tensors.Tests.Cells.CellTestKit;

namespace Attend.Tensors.Tests.Cells;

/// <summary>
/// The fused LSTM step against the composed float64 reference and finite differences, including
/// which of its two outputs the loss uses (the joint-node autograd must cope with either or both).
/// </summary>
public class LstmCellTests
{
    public enum Uses { HOnly, COnly, Both }

    private sealed record Case(int B, int H, float[] Gx, float[] Hp, float[] Cp, float[] W, float[]? Bias, float[] Gh, float[] Gc)
    {
        public static Case Random(int batch, int hidden, bool bias, int seed)
        {
            var rng = new Random(seed);
            return new Case(batch, hidden, Uniform(rng, batch * 4 * hidden, 1.5), Uniform(rng, batch * hidden, 1),
                Uniform(rng, batch * hidden, 1.5), Uniform(rng, 4 * hidden * hidden, 1 / Math.Sqrt(hidden)),
                bias ? Uniform(rng, 4 * hidden, 0.5) : null, Uniform(rng, batch * hidden, 1), Uniform(rng, batch * hidden, 1));
        }

        public (Tensor Gx, Tensor H, Tensor C, Tensor W, Tensor? Bias) Leaves() =>
            (Leaf(Gx, B, 4 * H), Leaf(Hp, B, H), Leaf(Cp, B, H), Leaf(W, 4 * H, H), Bias is null ? null : Leaf(Bias, 4 * H));
    }

    private static (Tensor, float[])[] Terms(Uses uses, Tensor h, Tensor c, Case k) => uses switch
    {
        Uses.HOnly => [(h, k.Gh)],
        Uses.COnly => [(c, k.Gc)],
        _ => [(h, k.Gh), (c, k.Gc)],
    };

    private static double RefLoss(Uses uses, (double[] H, double[] C) y, Case k) =>
        (uses == Uses.COnly ? 0 : CellReference.Dot(y.H, k.Gh)) + (uses == Uses.HOnly ? 0 : CellReference.Dot(y.C, k.Gc));

    [Theory]
    [InlineData(0, 4, true, Uses.Both)]
    [InlineData(2, 0, true, Uses.Both)]
    [InlineData(1, 1, true, Uses.Both)]
    [InlineData(1, 8, true, Uses.Both)]
    [InlineData(2, 3, true, Uses.HOnly)]
    [InlineData(2, 3, true, Uses.COnly)]
    [InlineData(3, 9, false, Uses.Both)]
    [InlineData(4, 17, true, Uses.HOnly)]
    [InlineData(4, 17, true, Uses.COnly)]
    [InlineData(2, 16, true, Uses.Both)]
    [InlineData(1, 33, true, Uses.Both)]
    public void Forward_and_every_gradient_match_the_float64_composed_reference(int batch, int hidden, bool bias, Uses uses)
    {
        var k = Case.Random(batch, hidden, bias, seed: 100 * batch + hidden);
        var (gx, h, c, w, b) = k.Leaves();
        var (hn, cn) = Ops.LstmCell(gx, h, c, w, b);
        DotLoss(Terms(uses, hn, cn, k)).Backward();

        double[] rgx = CellReference.ToDouble(k.Gx), rh = CellReference.ToDouble(k.Hp), rc = CellReference.ToDouble(k.Cp);
        double[] rw = CellReference.ToDouble(k.W), rb = k.Bias is null ? [] : CellReference.ToDouble(k.Bias);
        (double[] H, double[] C) Run() => CellReference.Lstm(rgx, rh, rc, rw, k.Bias is null ? null : rb, batch, hidden);
        var expected = Run();
        Golden.AssertClose("h'", expected.H, hn.Data);
        Golden.AssertClose("c'", expected.C, cn.Data);

        var grads = CellReference.Gradients(() => RefLoss(uses, Run(), k), rgx, rh, rc, rw, rb);
        Golden.AssertClose("dgx", grads[0], gx.Grad);
        Golden.AssertClose("dh", grads[1], h.Grad);
        Golden.AssertClose("dc", grads[2], c.Grad);
        Golden.AssertClose("dW_hh", grads[3], w.Grad);
        if (b is not null) Golden.AssertClose("db_hh", grads[4], b.Grad);
    }

    [Fact]
    public void Two_steps_where_c1_feeds_both_the_loss_and_the_next_step()
    {
        // c1 has two consumers (step 2 and the loss) and h1 only one; c2 is unused. Every gradient
        // must still arrive before each joint node runs.
        const int batch = 2, hidden = 9;
        var k = Case.Random(batch, hidden, bias: true, seed: 42);
        var gx2 = Uniform(new Random(43), batch * 4 * hidden, 1.5);
        var (gx, h, c, w, b) = k.Leaves();
        var tgx2 = Leaf(gx2, batch, 4 * hidden);
        var (h1, c1) = Ops.LstmCell(gx, h, c, w, b);
        var (h2, _) = Ops.LstmCell(tgx2, h1, c1, w, b);
        DotLoss((c1, k.Gc), (h2, k.Gh)).Backward();

        double[] rgx = CellReference.ToDouble(k.Gx), rgx2 = CellReference.ToDouble(gx2), rh = CellReference.ToDouble(k.Hp);
        double[] rc = CellReference.ToDouble(k.Cp), rw = CellReference.ToDouble(k.W), rb = CellReference.ToDouble(k.Bias!);
        double Loss()
        {
            var s1 = CellReference.Lstm(rgx, rh, rc, rw, rb, batch, hidden);
            var s2 = CellReference.Lstm(rgx2, s1.H, s1.C, rw, rb, batch, hidden);
            return CellReference.Dot(s1.C, k.Gc) + CellReference.Dot(s2.H, k.Gh);
        }
        var grads = CellReference.Gradients(Loss, rgx, rgx2, rh, rc, rw, rb);
        Golden.AssertClose("dgx1", grads[0], gx.Grad);
        Golden.AssertClose("dgx2", grads[1], tgx2.Grad);
        Golden.AssertClose("dh0", grads[2], h.Grad);
        Golden.AssertClose("dc0", grads[3], c.Grad);
        Golden.AssertClose("dW_hh", grads[4], w.Grad);
        Golden.AssertClose("db_hh", grads[5], b!.Grad);
    }

    [Theory]
    [InlineData(2, 5)]
    [InlineData(1, 9)]
    public void Fused_gradients_pass_a_float32_central_difference_check(int batch, int hidden)
    {
        var k = Case.Random(batch, hidden, bias: true, seed: 11 + hidden);
        var (gx, h, c, w, b) = k.Leaves();
        var (hn, cn) = Ops.LstmCell(gx, h, c, w, b);
        DotLoss((hn, k.Gh), (cn, k.Gc)).Backward();
        FiniteDifference.Check(() =>
        {
            using var _ = GradMode.Off();
            var (y, s) = Ops.LstmCell(gx, h, c, w, b);
            return GruCellTests.Dot(y, k.Gh) + GruCellTests.Dot(s, k.Gc);
        }, ("gx", gx), ("h", h), ("c", c), ("W_hh", w), ("b_hh", b!));
    }

    [Fact]
    public void Inference_gives_the_same_bits_and_records_no_graph()
    {
        var k = Case.Random(3, 10, bias: true, seed: 5);
        var (gx, h, c, w, b) = k.Leaves();
        var (ht, ct) = Ops.LstmCell(gx, h, c, w, b);
        Tensor hi, ci;
        using (GradMode.Off()) (hi, ci) = Ops.LstmCell(gx, h, c, w, b);
        Assert.False(hi.RequiresGrad || ci.RequiresGrad);
        Assert.Equal(ht.ToArray(), hi.ToArray());
        Assert.Equal(ct.ToArray(), ci.ToArray());
    }

    [Fact]
    public void Mismatched_cell_state_names_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Ops.LstmCell(Tensor.Zeros(2, 16), Tensor.Zeros(2, 4), Tensor.Zeros(3, 4), Tensor.Zeros(16, 4), null));
        Assert.Contains("cell state c [3, 4]", e.Message);
        Assert.Contains("h [2, 4]", e.Message);
    }
}
