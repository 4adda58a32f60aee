using Attend.Tensors;

namespace Attend.Tensors.Tests;

public class SoftmaxTests
{
    [Fact]
    public void Masked_positions_get_exactly_zero_weight_and_exactly_zero_gradient()
    {
        // Huge scores at masked positions must neither leak weight nor overflow.
        var x = Tensor.Parameter("scores", 2, 4);
        float[] scores = [0.5f, 1e30f, -2f, 3e38f, 1f, 2f, float.MaxValue, 0f];
        scores.CopyTo(x.Data);
        var mask = Tensor.FromArray([1, 0, 1, 0, 1, 1, 0, 1], 2, 4);
        var y = Ops.MaskedSoftmax(x, mask);
        var seed = Tensor.FromArray([1f, 5f, -3f, 7f, 0.5f, -1f, 9f, 2f], 2, 4);
        y.Backward(seed);
        for (int i = 0; i < 8; i++)
        {
            if (mask.Data[i] != 0f) continue;
            Assert.Equal(0f, y.Data[i]);
            Assert.Equal(0f, x.Grad[i]);
            Assert.False(float.IsNegative(y.Data[i]), "masked weight must be +0");
        }
        Assert.Equal(1f, y.Data[0] + y.Data[2], 6);
        Assert.Equal(1f, y.Data[4] + y.Data[5] + y.Data[7], 6);
        // The kept positions are the softmax of the kept scores alone.
        double z = Math.Exp(0.5) + Math.Exp(-2);
        Assert.Equal(Math.Exp(0.5) / z, y.Data[0], 6);
    }

    [Fact]
    public void A_fully_masked_row_is_all_zeros_with_zero_gradient()
    {
        var x = Tensor.Parameter("scores", 2, 3);
        new float[] { 1, 2, 3, 4, 5, 6 }.CopyTo(x.Data);
        var mask = Tensor.FromArray([0, 0, 0, 1, 0, 1], 2, 3);
        var y = Ops.MaskedSoftmax(x, mask);
        Assert.Equal([0f, 0f, 0f], y.Data[..3].ToArray());
        Assert.All(y.ToArray(), v => Assert.False(float.IsNaN(v)));
        y.Backward(Tensor.Full(1f, 2, 3));
        Assert.Equal([0f, 0f, 0f], x.Grad[..3].ToArray());
    }

    [Fact]
    public void A_batch_mask_is_shared_by_every_row_of_its_batch_entry()
    {
        var rng = new Rng(3);
        var x = Tensor.Empty(2, 3, 4);
        rng.FillNormal(x.Data, 0f, 1f);
        var mask = Tensor.FromArray([1, 1, 0, 1, 0, 1, 1, 1], 2, 4);
        var y = Ops.MaskedSoftmax(x, mask);
        var full = Tensor.Empty(2, 3, 4);
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 3; t++)
                mask.Data.Slice(b * 4, 4).CopyTo(full.Data.Slice((b * 3 + t) * 4, 4));
        Assert.Equal(Ops.MaskedSoftmax(x, full).ToArray(), y.ToArray());
        Assert.Equal(0f, y.Data[2]);
        Assert.Equal(0f, y.Data[4 + 2]);
        Assert.Equal(0f, y.Data[12]);
    }

    [Fact]
    public void A_mask_with_more_sentences_applies_its_first_rows_with_the_same_values_and_gradients()
    {
        var rng = new Rng(4);
        var x = Tensor.Parameter("x", 2, 4);
        rng.FillNormal(x.Data, 0f, 1f);
        var mask = Tensor.FromArray([1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0], 3, 4);
        var y = Ops.MaskedSoftmax(x, mask);
        var g = Tensor.FromArray([0.5f, -1f, 2f, 0.25f, 1f, 3f, -2f, 0.5f], 2, 4);
        y.Backward(g);
        var dx = x.Grad.ToArray();
        x.ZeroGrad();
        var first = Ops.MaskedSoftmax(x, Tensor.FromArray(mask.Data[..8], 2, 4));
        first.Backward(g);
        Assert.Equal(first.ToArray(), y.ToArray());
        Assert.Equal(x.Grad.ToArray(), dx);
        Assert.Equal(0f, y.Data[2]);
        Assert.Throws<ArgumentException>(() => Ops.MaskedSoftmax(Tensor.Zeros(4, 4), mask));
    }

    [Fact]
    public void An_unfit_mask_is_an_error_naming_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.MaskedSoftmax(Tensor.Zeros(2, 3, 4), Tensor.Zeros(3, 4)));
        Assert.Contains("[3, 4]", e.Message);
        Assert.Contains("[2, 3, 4]", e.Message);
    }

    [Fact]
    public void Log_softmax_in_place_gives_the_same_bits_over_the_scores_and_refuses_a_graph()
    {
        var rng = new Rng(4);
        var x = Tensor.Empty(300, 257); // rows split over the threads, a row length off the vector width
        rng.FillNormal(x.Data, 0f, 3f);
        var expected = Ops.LogSoftmax(x).ToArray();
        Assert.Same(x, Ops.LogSoftmaxInPlace(x));
        Assert.Equal(expected, x.ToArray());
        var p = Tensor.Parameter("p", 2, 3);
        var e = Assert.Throws<InvalidOperationException>(() => Ops.LogSoftmaxInPlace(p));
        Assert.Contains("graph", e.Message);
        using (GradMode.Off()) Ops.LogSoftmaxInPlace(p); // no graph is recorded: allowed
    }

    [Fact]
    public void Softmax_and_log_softmax_are_stable_for_large_scores_and_agree()
    {
        var x = Tensor.FromArray([1000f, 1001f, 999f, -1000f, 0f, 0f, 0f, 0f], 2, 4);
        var p = Ops.Softmax(x);
        var lp = Ops.LogSoftmax(x);
        for (int i = 0; i < 8; i++)
        {
            Assert.True(float.IsFinite(lp.Data[i]));
            // p underflows to 0 at −1000 where log p is still exact.
            if (i != 3) Assert.Equal(Math.Log(p.Data[i]), lp.Data[i], 4);
        }
        Assert.Equal(0f, p.Data[3]);
        Assert.Equal(-2001.4076, lp.Data[3], 3);
        Assert.Equal(1f, p.Data[..4].ToArray().Sum(), 6);
        Assert.Equal(-Math.Log(4), lp.Data[5], 6);
        double lse = 1001 + Math.Log(1 + Math.Exp(-1) + Math.Exp(-2));
        Assert.Equal(1000 - lse, lp.Data[0], 4);
    }
}
