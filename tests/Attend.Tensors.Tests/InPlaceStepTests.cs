using Attend.Tensors;
using Attend.Tensors.Tests.Cells;

namespace Attend.Tensors.Tests;

/// <summary>
/// The ops that read one step of a sequence in place, or write several pieces into one output, against the
/// composed ops they replace (Select, Slice, Add, Concat, IndexSelect): the same values and the same
/// gradients in every input, bit for bit where the arithmetic is the same.
/// </summary>
public class InPlaceStepTests
{
    private static Tensor Leaf(Random rng, params int[] shape) =>
        CellTestKit.Leaf(CellTestKit.Uniform(rng, ShapeOf.Count(shape), 1.0), shape);

    private static float[] Seed(Random rng, Tensor y) => CellTestKit.Uniform(rng, y.Length, 1.0);

    /// <summary>Values and the gradients of <paramref name="inputs"/> under seed <paramref name="g"/>.</summary>
    private static (float[] Y, float[][] Grads) Run(Func<Tensor> f, float[]? g, params Tensor[] inputs)
    {
        foreach (var x in inputs) x.ZeroGrad();
        var y = f();
        var values = y.ToArray();
        y.Backward(Tensor.FromArray(g ?? new float[y.Length], y.Shape));
        return (values, inputs.Select(x => x.Grad.ToArray()).ToArray());
    }

    [Theory]
    [InlineData(5, 5, true)]
    [InlineData(5, 3, true)]   // the first rows of a length-sorted batch
    [InlineData(4, 1, false)]
    public void GruCellAt_equals_the_cell_on_the_selected_step(int batch, int rows, bool bias)
    {
        var rng = new Random(7);
        int t = 4, hidden = 6, step = 2;
        var seq = Leaf(rng, batch, t, 3 * hidden);
        var h = Leaf(rng, rows, hidden);
        var w = Leaf(rng, 3 * hidden, hidden);
        var b = bias ? Leaf(rng, 3 * hidden) : null;
        Tensor[] inputs = b is null ? [seq, h, w] : [seq, h, w, b];
        var g = CellTestKit.Uniform(rng, rows * hidden, 1.0);
        var composed = Run(() => Ops.GruCell(Ops.Select(seq, 1, step, rows), h, w, b), g, inputs);
        var inPlace = Run(() => Ops.GruCellAt(seq, step, h, w, b), g, inputs);
        Assert.Equal(composed.Y, inPlace.Y);
        for (int i = 0; i < inputs.Length; i++) Assert.Equal(composed.Grads[i], inPlace.Grads[i]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.GruCellAt(seq, t, h, w, b));
        var e = Assert.Throws<ArgumentException>(() => Ops.GruCellAt(Leaf(rng, batch, t, 2 * hidden), 0, h, w, b));
        Assert.Contains("GruCellAt", e.Message);
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(5, 2)]
    public void LstmCellAt_equals_the_cell_on_the_selected_step(int batch, int rows)
    {
        var rng = new Random(8);
        int t = 3, hidden = 5, step = 1;
        var seq = Leaf(rng, batch, t, 4 * hidden);
        var h = Leaf(rng, rows, hidden);
        var c = Leaf(rng, rows, hidden);
        var w = Leaf(rng, 4 * hidden, hidden);
        var b = Leaf(rng, 4 * hidden);
        Tensor[] inputs = [seq, h, c, w, b];
        var gh = CellTestKit.Uniform(rng, rows * hidden, 1.0);
        var gc = CellTestKit.Uniform(rng, rows * hidden, 1.0);
        (float[], float[][]) Of(Func<(Tensor H, Tensor C)> cell)
        {
            foreach (var x in inputs) x.ZeroGrad();
            var (hn, cn) = cell();
            var values = hn.ToArray().Concat(cn.ToArray()).ToArray();
            CellTestKit.DotLoss((hn, gh), (cn, gc)).Backward();
            return (values, inputs.Select(x => x.Grad.ToArray()).ToArray());
        }
        var composed = Of(() => Ops.LstmCell(Ops.Select(seq, 1, step, rows), h, c, w, b));
        var inPlace = Of(() => Ops.LstmCellAt(seq, step, h, c, w, b));
        Assert.Equal(composed.Item1, inPlace.Item1);
        for (int i = 0; i < inputs.Length; i++) Assert.Equal(composed.Item2[i], inPlace.Item2[i]);
    }

    [Fact]
    public void StackSteps_of_two_directions_in_batch_order_equals_stack_concat_and_index_select()
    {
        var rng = new Random(9);
        int b = 4, t = 3, d = 2;
        int[] n = [4, 3, 1];                        // rows running at each step (lengths 3, 2, 2, 1)
        var fw = n.Select(k => Leaf(rng, k, d)).ToArray();
        var bw = n.Select(k => (Tensor?)Leaf(rng, k, d)).ToArray();
        bw[2] = null;                               // a step no row ran in one direction
        int[] order = [2, 0, 3, 1];                 // sorted row r is batch row order[r]
        var inverse = new int[b];
        for (int r = 0; r < b; r++) inverse[order[r]] = r;
        Tensor[] inputs = [.. fw, .. bw.Where(x => x is not null).Select(x => x!)];
        var g = CellTestKit.Uniform(rng, b * t * 2 * d, 1.0);
        var composed = Run(() => Ops.IndexSelect(Ops.Concat([Ops.StackSteps(fw, b), Ops.StackSteps(bw, b)], 2), inverse), g, inputs);
        var fused = Run(() => Ops.StackSteps([fw, bw], b, d, order), g, inputs);
        Assert.Equal(composed.Y, fused.Y);
        for (int i = 0; i < inputs.Length; i++) Assert.Equal(composed.Grads[i], fused.Grads[i]);
        Assert.Equal(Ops.StackSteps(fw, b).ToArray(), Ops.StackSteps([fw], b, d).ToArray());
        Assert.Throws<ArgumentException>(() => Ops.StackSteps([fw, bw.Take(2).ToArray()], b, d));
        Assert.Throws<ArgumentException>(() => Ops.StackSteps([fw], b, d, [0, 1]));
    }

    [Fact]
    public void StackSteps_summing_directions_equals_sum_chunks_of_the_concatenated_stack()
    {
        var rng = new Random(19);
        int b = 4, t = 3, d = 5;
        int[] n = [4, 2, 1];
        var fw = n.Select(k => Leaf(rng, k, d)).ToArray();
        var bw = n.Select(k => (Tensor?)Leaf(rng, k, d)).ToArray();
        bw[1] = null;
        int[] order = [1, 3, 0, 2];
        Tensor[] inputs = [.. fw, .. bw.Where(x => x is not null).Select(x => x!)];
        var g = CellTestKit.Uniform(rng, b * t * d, 1.0);
        var composed = Run(() => Ops.SumChunks(Ops.StackSteps([fw, bw], b, d, order), 2), g, inputs);
        var fused = Run(() => Ops.StackSteps([fw, bw], b, d, order, sumDirections: true), g, inputs);
        Assert.Equal(composed.Y, fused.Y); // h→ + h←, the same additions
        for (int i = 0; i < inputs.Length; i++) Assert.Equal(composed.Grads[i], fused.Grads[i]);
        Assert.Equal([b, t, d], Ops.StackSteps([fw, bw], b, d, order, sumDirections: true).Shape);
    }

    [Fact]
    public void SumChunks_equals_the_sum_of_the_slices_with_its_gradient()
    {
        var rng = new Random(10);
        var x = Leaf(rng, 2, 3, 8);
        var g = CellTestKit.Uniform(rng, 2 * 3 * 4, 1.0);
        var composed = Run(() => Ops.Add(Ops.Slice(x, 2, 0, 4), Ops.Slice(x, 2, 4, 4)), g, x);
        var fused = Run(() => Ops.SumChunks(x, 2), g, x);
        Assert.Equal(composed.Y, fused.Y);
        Assert.Equal(composed.Grads[0], fused.Grads[0]);
        Assert.Equal([2, 3, 4], Ops.SumChunks(x, 2).Shape);
        Assert.Equal(x.ToArray(), Ops.SumChunks(x, 1).ToArray());
        GradCheck.Check(xs => Ops.SumChunks(xs[0], 4), Leaf(rng, 3, 8));
        var e = Assert.Throws<ArgumentException>(() => Ops.SumChunks(x, 3));
        Assert.Contains("[2, 3, 8]", e.Message);
    }

    [Fact]
    public void AddStep_equals_slice_plus_select_with_every_gradient()
    {
        var rng = new Random(11);
        int b = 5, t = 4, d = 6, n = 3, step = 1;
        var a = Leaf(rng, b, d);
        var seq = Leaf(rng, b, t, d);
        var g = CellTestKit.Uniform(rng, n * d, 1.0);
        var composed = Run(() => Ops.Add(Ops.Slice(a, 0, 0, n), Ops.Select(seq, 1, step, n)), g, a, seq);
        var fused = Run(() => Ops.AddStep(a, seq, step, n), g, a, seq);
        Assert.Equal(composed.Y, fused.Y);
        Assert.Equal(composed.Grads[0], fused.Grads[0]);
        Assert.Equal(composed.Grads[1], fused.Grads[1]);
        Assert.Throws<ArgumentException>(() => Ops.AddStep(Leaf(rng, 2, d), seq, step, n));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.AddStep(a, seq, t, n));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LinearOfConcat_equals_linear_of_the_concatenation_and_passes_a_gradient_check(bool bias)
    {
        var rng = new Random(13);
        var a = Leaf(rng, 3, 4, 5);
        var c = Leaf(rng, 3, 4, 2);
        var w = Leaf(rng, 6, 7);
        var b = bias ? Leaf(rng, 6) : null;
        Tensor[] inputs = b is null ? [a, c, w] : [a, c, w, b];
        var g = CellTestKit.Uniform(rng, 3 * 4 * 6, 1.0);
        var composed = Run(() => Ops.Linear(Ops.Concat([a, c], 2), w, b), g, inputs);
        var fused = Run(() => Ops.LinearOfConcat([a, c], w, b), g, inputs);
        for (int i = 0; i < composed.Y.Length; i++) Assert.Equal(composed.Y[i], fused.Y[i], 5);
        for (int k = 0; k < inputs.Length; k++)
            for (int i = 0; i < composed.Grads[k].Length; i++) Assert.Equal(composed.Grads[k][i], fused.Grads[k][i], 5);
        GradCheck.Check(xs => Ops.LinearOfConcat([xs[0], xs[1]], xs[2], bias ? xs[3] : null), inputs);
        Assert.Throws<ArgumentException>(() => Ops.LinearOfConcat([a, Leaf(rng, 3, 5, 2)], w));
        Assert.Throws<ArgumentException>(() => Ops.LinearOfConcat([a, a], w));
    }

    [Fact]
    public void LinearAddStep_equals_linear_plus_select_and_passes_a_gradient_check()
    {
        var rng = new Random(12);
        int b = 4, t = 3, inF = 5, outF = 7, n = 3, step = 2;
        var x = Leaf(rng, n, inF);
        var w = Leaf(rng, outF, inF);
        var seq = Leaf(rng, b, t, outF);
        var g = CellTestKit.Uniform(rng, n * outF, 1.0);
        var composed = Run(() => Ops.Add(Ops.Select(seq, 1, step, n), Ops.Linear(x, w)), g, x, w, seq);
        var fused = Run(() => Ops.LinearAddStep(x, w, seq, step), g, x, w, seq);
        // The product adds onto the step's rows inside the GEMM: the same sum, rounded once more or less.
        for (int i = 0; i < composed.Y.Length; i++) Assert.Equal(composed.Y[i], fused.Y[i], 5);
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < composed.Grads[k].Length; i++) Assert.Equal(composed.Grads[k][i], fused.Grads[k][i], 5);
        GradCheck.Check(xs => Ops.LinearAddStep(xs[0], xs[1], xs[2], step), x, w, seq);
        Assert.Throws<ArgumentException>(() => Ops.LinearAddStep(x, Leaf(rng, outF + 1, inF), seq, step));
    }
}
