using Attend.Tensors;
using Attend.Tensors.Tests.Cells;

namespace Attend.Tensors.Tests;

/// <summary>
/// <see cref="Ops.LinearPrefixes"/>: Linear over the real positions of a padded batch [B, S, In] only. Its real rows
/// have the bits of Linear over the whole batch, its padding is exactly 0, and its gradients are Linear's with the
/// padding's output gradient dropped.
/// </summary>
public class LinearPrefixesTests
{
    private static Tensor Leaf(Random rng, params int[] shape) =>
        CellTestKit.Leaf(CellTestKit.Uniform(rng, ShapeOf.Count(shape), 1.0), shape);

    [Theory]
    [InlineData(new[] { 7, 3, 0, 5 }, 7, 33, 19)]   // 15 real rows: the packed route, as the whole batch's 28
    [InlineData(new[] { 4, 4, 4 }, 4, 16, 9)]       // no padding: one product over every row
    [InlineData(new[] { 30, 12, 29, 8, 17 }, 30, 65, 129)]
    public void Real_rows_have_the_whole_batch_products_bits_and_padding_is_zero(int[] lengths, int s, int inF, int outF)
    {
        var rng = new Random(3);
        int b = lengths.Length;
        var x = Leaf(rng, b, s, inF);
        var w = Leaf(rng, outF, inF);
        using var off = GradMode.Off();
        using var scope = TensorScope.Begin();
        var whole = Ops.Linear(x, w).ToArray();
        // A dirty buffer of the output's size back to the pool first: the padding must be written, not found zero.
        var dirty = Tensor.Empty(b, s, outF);
        dirty.Data.Fill(float.NaN);
        dirty.FreeValues();
        var y = Ops.LinearPrefixes(x, w, lengths);
        Assert.Equal([b, s, outF], y.Shape);
        for (int bi = 0; bi < b; bi++)
            for (int si = 0; si < s; si++)
                for (int o = 0; o < outF; o++)
                {
                    int i = (bi * s + si) * outF + o;
                    float expected = si < lengths[bi] ? whole[i] : 0f;
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(y.Data[i]),
                        $"y[{bi},{si},{o}] = {y.Data[i]}, expected {expected}");
                }
    }

    [Fact]
    public void A_product_in_chunks_gives_whole_batch_bits_and_linears_gradients()
    {
        // 520 real rows: a chunk of 256 and one of 264 (the remainder of 8 joins it, to stay on the packed route),
        // larger than the first: its buffers (256·32 floats, a size class of the pool's own) must hold it.
        var rng = new Random(7);
        int[] lengths = [.. Enumerable.Repeat(30, 17), 10, 0];
        int b = lengths.Length, s = 30, inF = 32, outF = 16;
        var x = Leaf(rng, b, s, inF);
        var w = Leaf(rng, outF, inF);
        var g = CellTestKit.Uniform(rng, b * s * outF, 1.0);
        for (int bi = 0; bi < b; bi++)
            for (int si = lengths[bi]; si < s; si++) Array.Clear(g, (bi * s + si) * outF, outF);
        x.ZeroGrad(); w.ZeroGrad();
        var whole = Ops.Linear(x, w);
        whole.Backward(Tensor.FromArray(g, b, s, outF));
        var (dx, dw) = (x.Grad.ToArray(), w.Grad.ToArray());
        x.ZeroGrad(); w.ZeroGrad();
        var y = Ops.LinearPrefixes(x, w, lengths);
        y.Backward(Tensor.FromArray(g, b, s, outF));
        for (int i = 0; i < y.Length; i++)
        {
            int si = i / outF % s, bi = i / outF / s;
            float expected = si < lengths[bi] ? whole.Data[i] : 0f;
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(y.Data[i]), $"y[{bi},{si},{i % outF}] = {y.Data[i]}, expected {expected}");
        }
        for (int i = 0; i < dx.Length; i++) Assert.Equal(dx[i], x.Grad[i], 4);
        for (int i = 0; i < dw.Length; i++) Assert.True(Math.Abs(dw[i] - w.Grad[i]) <= 1e-4f * (1 + Math.Abs(dw[i])), $"dW[{i}] = {w.Grad[i]}, Linear's {dw[i]}");
    }

    [Fact]
    public void Gradients_are_linears_without_the_padding_and_pass_a_gradient_check()
    {
        var rng = new Random(4);
        int[] lengths = [3, 1, 0, 2];
        int b = lengths.Length, s = 3, inF = 4, outF = 5;
        var x = Leaf(rng, b, s, inF);
        var w = Leaf(rng, outF, inF);
        var g = CellTestKit.Uniform(rng, b * s * outF, 1.0);
        var masked = (float[])g.Clone();
        for (int bi = 0; bi < b; bi++)
            for (int si = lengths[bi]; si < s; si++) Array.Clear(masked, (bi * s + si) * outF, outF);

        x.ZeroGrad(); w.ZeroGrad();
        Ops.Linear(x, w).Backward(Tensor.FromArray(masked, b, s, outF));
        var (dxLinear, dwLinear) = (x.Grad.ToArray(), w.Grad.ToArray());
        x.ZeroGrad(); w.ZeroGrad();
        Ops.LinearPrefixes(x, w, lengths).Backward(Tensor.FromArray(g, b, s, outF));
        for (int i = 0; i < dxLinear.Length; i++) Assert.Equal(dxLinear[i], x.Grad[i], 5);
        for (int i = 0; i < dwLinear.Length; i++) Assert.Equal(dwLinear[i], w.Grad[i], 5);
        for (int bi = 0; bi < b; bi++)
            for (int si = lengths[bi]; si < s; si++)
                for (int j = 0; j < inF; j++) Assert.Equal(0f, x.Grad[(bi * s + si) * inF + j]); // the padding gets nothing

        GradCheck.Check(xs => Ops.LinearPrefixes(xs[0], xs[1], lengths), x, w);
    }

    [Fact]
    public void Several_inputs_are_the_linear_of_their_concatenation_at_the_real_rows()
    {
        var rng = new Random(6);
        int[] lengths = [4, 2, 0, 3, 4];
        int b = lengths.Length, s = 4, outF = 6;
        var c = Leaf(rng, b, s, 5);
        var h = Leaf(rng, b, s, 3);
        var w = Leaf(rng, outF, 8);
        var g = CellTestKit.Uniform(rng, b * s * outF, 1.0);
        var masked = (float[])g.Clone();
        for (int bi = 0; bi < b; bi++)
            for (int si = lengths[bi]; si < s; si++) Array.Clear(masked, (bi * s + si) * outF, outF);

        foreach (var x in new[] { c, h, w }) x.ZeroGrad();
        var composed = Ops.Linear(Ops.Concat([c, h], 2), w);
        composed.Backward(Tensor.FromArray(masked, b, s, outF));
        var expected = new[] { c.Grad.ToArray(), h.Grad.ToArray(), w.Grad.ToArray() };
        foreach (var x in new[] { c, h, w }) x.ZeroGrad();
        var y = Ops.LinearPrefixes([c, h], w, lengths);
        y.Backward(Tensor.FromArray(g, b, s, outF));
        for (int bi = 0; bi < b; bi++)
            for (int si = 0; si < s; si++)
                for (int o = 0; o < outF; o++)
                {
                    int i = (bi * s + si) * outF + o;
                    Assert.Equal(si < lengths[bi] ? composed.Data[i] : 0f, y.Data[i], 5);
                }
        var actual = new[] { c.Grad.ToArray(), h.Grad.ToArray(), w.Grad.ToArray() };
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < expected[k].Length; i++) Assert.Equal(expected[k][i], actual[k][i], 5);

        GradCheck.Check(xs => Ops.LinearPrefixes([xs[0], xs[1]], xs[2], lengths), c, h, w);
    }

    [Fact]
    public void Bad_lengths_and_shapes_are_refused_with_what_is_wrong()
    {
        var rng = new Random(5);
        var x = Leaf(rng, 2, 3, 4);
        var w = Leaf(rng, 5, 4);
        Assert.Contains("3 lengths for a batch of 2", Assert.Throws<ArgumentException>(() => Ops.LinearPrefixes(x, w, [1, 2, 3])).Message);
        Assert.Contains("length 4 of sentence 1", Assert.Throws<ArgumentException>(() => Ops.LinearPrefixes(x, w, [1, 4])).Message);
        Assert.Contains("length -1 of sentence 0", Assert.Throws<ArgumentException>(() => Ops.LinearPrefixes(x, w, [-1, 2])).Message);
        Assert.Contains("5 features in all", Assert.Throws<ArgumentException>(() => Ops.LinearPrefixes(Leaf(rng, 2, 3, 5), w, [1, 2])).Message);
        Assert.Contains("is not [B, S, In]", Assert.Throws<ArgumentException>(() => Ops.LinearPrefixes(Leaf(rng, 2, 4), w, [1, 2])).Message);
        Assert.Contains("is not [B, S, In] as input 0", Assert.Throws<ArgumentException>(() => Ops.LinearPrefixes([x, Leaf(rng, 2, 2, 1)], Leaf(rng, 5, 5), [1, 2])).Message);
        Assert.Throws<ArgumentException>(() => Ops.LinearPrefixes([], w, [1, 2]));
    }
}
