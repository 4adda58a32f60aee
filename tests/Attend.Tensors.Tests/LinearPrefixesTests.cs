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
    public void Bad_lengths_and_shapes_are_refused_with_what_is_wrong()
    {
        var rng = new Random(5);
        var x = Leaf(rng, 2, 3, 4);
        var w = Leaf(rng, 5, 4);
        Assert.Contains("3 lengths for a batch of 2", Assert.Throws<ArgumentException>(() => Ops.LinearPrefixes(x, w, [1, 2, 3])).Message);
        Assert.Contains("length 4 of sentence 1", Assert.Throws<ArgumentException>(() => Ops.LinearPrefixes(x, w, [1, 4])).Message);
        Assert.Contains("length -1 of sentence 0", Assert.Throws<ArgumentException>(() => Ops.LinearPrefixes(x, w, [-1, 2])).Message);
        Assert.Contains("[B, S, In]", Assert.Throws<ArgumentException>(() => Ops.LinearPrefixes(Leaf(rng, 2, 3, 5), w, [1, 2])).Message);
    }
}
