using Attend.Tensors;

namespace Attend.Tensors.Tests;

public class GatherAndDropoutTests
{
    [Fact]
    public void Embedding_looks_up_rows_and_keeps_the_padding_row_gradient_zero()
    {
        var w = Tensor.Parameter("emb", 4, 2);
        new float[] { 0, 0, 1, 2, 3, 4, 5, 6 }.CopyTo(w.Data);
        var y = Ops.Embedding(w, [2, 0, 2, 3, 0, 1], [2, 3], paddingIdx: 0);
        Assert.Equal([2, 3, 2], y.Shape);
        Assert.Equal([3f, 4f, 0f, 0f, 3f, 4f, 5f, 6f, 0f, 0f, 1f, 2f], y.ToArray());
        y.Backward(Tensor.Full(1f, 2, 3, 2));
        Assert.Equal([0f, 0f, 1f, 1f, 2f, 2f, 1f, 1f], w.Grad.ToArray());
    }

    [Fact]
    public void Embedding_of_an_unknown_id_names_the_id_and_the_vocabulary_size()
    {
        var w = Tensor.Parameter("emb", 4, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Embedding(w, [1, 9], [2]));
        Assert.Contains("id 9", e.Message);
        Assert.Contains("V = 4", e.Message);
    }

    [Fact]
    public void IndexSelect_reorders_rows_and_scatters_gradients_back()
    {
        var x = Tensor.Parameter("h", 3, 2);
        new float[] { 1, 2, 3, 4, 5, 6 }.CopyTo(x.Data);
        var y = Ops.IndexSelect(x, [2, 2, 0]);
        Assert.Equal([5f, 6f, 5f, 6f, 1f, 2f], y.ToArray());
        y.Backward(Tensor.FromArray([1f, 1f, 2f, 2f, 3f, 3f], 3, 2));
        Assert.Equal([3f, 3f, 0f, 0f, 3f, 3f], x.Grad.ToArray());
    }

    [Fact]
    public void IndexSelect_of_a_missing_row_names_it_and_the_size()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.IndexSelect(Tensor.Zeros(3, 2), [0, 3]));
        Assert.Contains("id 3", e.Message);
        Assert.Contains("[3, 2], size = 3", e.Message);
    }

    [Fact]
    public void Dropout_is_deterministic_for_a_seed_and_scales_kept_values()
    {
        var x = Tensor.Full(2f, 100, 100);
        var a = Ops.Dropout(x, 0.25f, new Rng(5), training: true).ToArray();
        var b = Ops.Dropout(x, 0.25f, new Rng(5), training: true).ToArray();
        var c = Ops.Dropout(x, 0.25f, new Rng(6), training: true).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a, v => Assert.True(v == 0f || v == 2f / 0.75f));
        // 10,000 Bernoulli(0.25) draws: the dropped fraction is within 5 standard deviations (0.0217) of p.
        double dropped = a.Count(v => v == 0f) / 10000.0;
        Assert.InRange(dropped, 0.25 - 0.0217, 0.25 + 0.0217);
        Assert.InRange(a.Average(), 2 - 0.15, 2 + 0.15);
    }

    [Fact]
    public void Dropout_is_the_identity_when_not_training_or_p_is_zero()
    {
        var x = Tensor.Full(1f, 3);
        Assert.Same(x, Ops.Dropout(x, 0.5f, new Rng(1), training: false));
        Assert.Same(x, Ops.Dropout(x, 0f, new Rng(1), training: true));
        Assert.All(Ops.Dropout(x, 1f, new Rng(1), training: true).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Dropout_backward_uses_the_forward_mask()
    {
        var x = Tensor.Parameter("x", 50);
        x.Data.Fill(1f);
        var y = Ops.Dropout(x, 0.5f, new Rng(3), training: true);
        y.Backward(Tensor.Full(1f, 50));
        Assert.Equal(y.ToArray(), x.Grad.ToArray());
    }
}
