using Attend.Tensors;
using Attend.Tensors.Tests.Cells;

namespace Attend.Tensors.Tests;

/// <summary>
/// A sequence's input projection a chunk of steps at a time (<see cref="Ops.ProjectSteps"/>,
/// <see cref="StepProjection"/>): the values of Linear over the whole sequence, the gradients of the composed ops
/// whether they arrive step by step (the step ops) or whole, and no [B, T, Out] gradient held by a step-by-step backward.
/// </summary>
[Collection(GlobalStateCollection.Name)] // one test reads the shared pool's live and peak bytes
public class ProjectStepsTests
{
    private const int B = 5, T = 6, In = 4, Out = 7;

    private static Tensor Leaf(Random rng, params int[] shape) =>
        CellTestKit.Leaf(CellTestKit.Uniform(rng, ShapeOf.Count(shape), 1.0), shape);

    private static void Is(Tensor chunk, int at, int[] shape, int step)
    {
        Assert.Equal(shape, chunk.Shape);
        Assert.Equal(step, at);
    }

    private static float[][] Grads(params Tensor[] xs) => xs.Select(x => x.Grad.ToArray()).ToArray();

    private static void Close(float[][] expected, float[][] actual)
    {
        for (int k = 0; k < expected.Length; k++)
            for (int i = 0; i < expected[k].Length; i++) Assert.Equal(expected[k][i], actual[k][i], 5);
    }

    [Fact]
    public void A_chunk_has_linears_values_and_its_steps_gradients_reach_x_w_and_b()
    {
        var rng = new Random(21);
        var x = Leaf(rng, B, T, In);
        var w = Leaf(rng, Out, In);
        var b = Leaf(rng, Out);
        int first = 2;
        int[] n = [4, 3, 1]; // rows running at steps 2, 3, 4 (a length-sorted batch)
        var a = n.Select(k => Leaf(rng, k, Out)).ToArray();
        Tensor[] inputs = [x, w, b, .. a];
        var g = CellTestKit.Uniform(rng, n.Sum() * Out, 1.0);

        // Composed: Linear over every row and step, then each step's rows read by AddStep.
        var full = Ops.Linear(x, w, b);
        var composedY = Ops.Concat(n.Select((k, j) => Ops.AddStep(a[j], full, first + j, k)).ToArray(), 0);
        composedY.Backward(Tensor.FromArray(g, composedY.Shape));
        var composed = Grads(inputs);
        foreach (var t in inputs) t.ZeroGrad();

        var chunk = Ops.ProjectSteps(x, w, b, first, n.Length, n[0]);
        Assert.Equal([n[0], n.Length, Out], chunk.Shape);
        for (int r = 0; r < n[0]; r++)
            for (int j = 0; j < n.Length; j++)
                for (int o = 0; o < Out; o++)
                    Assert.Equal(full.Data[(r * T + first + j) * Out + o], chunk.Data[(r * n.Length + j) * Out + o], 5);
        var fusedY = Ops.Concat(n.Select((k, j) => Ops.AddStep(a[j], chunk, j, k)).ToArray(), 0);
        Assert.Equal(composedY.ToArray(), fusedY.ToArray());
        fusedY.Backward(Tensor.FromArray(g, fusedY.Shape));
        Assert.False(chunk.HasGrad); // the steps handed their gradients straight to x, W and b
        Close(composed, Grads(inputs));
        // x's rows outside the chunk's steps, and below the rows each step ran, get nothing.
        Assert.All(Enumerable.Range(0, In), i => Assert.Equal(0f, x.Grad[(0 * T + 1) * In + i]));
        Assert.All(Enumerable.Range(0, In), i => Assert.Equal(0f, x.Grad[(2 * T + first + 2) * In + i]));
    }

    [Fact]
    public void A_consumer_of_the_whole_chunk_gets_linears_gradient_and_a_gradient_check_passes()
    {
        var rng = new Random(22);
        var x = Leaf(rng, B, T, In);
        var w = Leaf(rng, Out, In);
        var b = Leaf(rng, Out);
        GradCheck.Check(xs => Ops.ProjectSteps(xs[0], xs[1], xs[2], 1, 3, 4), x, w, b);
        GradCheck.Check(xs => Ops.ProjectSteps(xs[0], xs[1], null, 0, T, B), x, w);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.ProjectSteps(x, w, b, 4, 3, B));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.ProjectSteps(x, w, b, 0, 2, B + 1));
        Assert.Throws<ArgumentException>(() => Ops.ProjectSteps(Leaf(rng, B, In), w, b, 0, 1, B));
    }

    [Fact]
    public void Cells_over_chunks_pass_a_gradient_check()
    {
        var rng = new Random(23);
        int h = 3;
        int[] n = [5, 4, 4, 2, 1]; // 5 steps of a sorted batch, in chunks of 2
        var x = Leaf(rng, B, n.Length, In);
        var wih = Leaf(rng, 3 * h, In);
        var bih = Leaf(rng, 3 * h);
        var whh = Leaf(rng, 3 * h, h);
        var h0 = Leaf(rng, B, h);
        GradCheck.Check(xs =>
        {
            var p = new StepProjection(xs[0], xs[1], xs[2], s => n[s], reverse: false, chunk: 2);
            var state = xs[4];
            var outs = new List<Tensor>();
            for (int s = 0; s < n.Length; s++)
            {
                var (chunk, at) = p.At(s);
                state = Ops.GruCellAt(chunk, at, Ops.Slice(state, 0, 0, n[s]), xs[3], null);
                outs.Add(state);
            }
            return Ops.Concat(outs, 0);
        }, x, wih, bih, whh, h0);
    }

    [Fact]
    public void StepProjection_walks_chunks_either_way_projecting_the_rows_that_run()
    {
        var rng = new Random(24);
        int steps = 11;
        int[] running = [5, 5, 5, 4, 4, 3, 3, 3, 2, 1, 1];
        var x = Leaf(rng, B, steps, In);
        var w = Leaf(rng, Out, In);
        using var scope = TensorScope.Begin();
        var forward = new StepProjection(x, w, null, s => running[s], reverse: false, chunk: 4);
        var (c0, at0) = forward.At(0);
        Is(c0, at0, [5, 4, Out], 0);
        Assert.Same(c0, forward.At(3).Chunk);
        var (c1, at4) = forward.At(4);
        Is(c1, at4, [4, 4, Out], 0); // steps 4..7: the rows of step 4 run longest
        Assert.Throws<InvalidOperationException>(() => c0.Data[0]); // its steps ran: its values went back
        Assert.Equal((c1, 3), forward.At(7));
        var (c2, at8) = forward.At(8);
        Is(c2, at8, [2, 3, Out], 0); // the last chunk: steps 8..10

        var backward = new StepProjection(x, w, null, s => running[s], reverse: true, chunk: 4);
        var seen = new List<(Tensor Chunk, int Step)>();
        for (int step = steps - 1; step >= 0; step--) seen.Add(backward.At(step));
        Is(seen[0].Chunk, seen[0].Step, [3, 4, Out], 3);   // step 10 in steps 7..10, as many rows as step 7 runs
        Is(seen[4].Chunk, seen[4].Step, [4, 4, Out], 3);   // step 6 in steps 3..6
        Is(seen[8].Chunk, seen[8].Step, [5, 3, Out], 2);   // step 2 in steps 0..2
        Assert.Equal(3, seen.Select(c => c.Chunk).Distinct().Count());
        var r2 = seen[^1].Chunk;
        backward.Finish();
        Assert.Throws<InvalidOperationException>(() => r2.Data[0]);
        // Each chunk holds Linear's values for its rows and steps.
        var full = Ops.Linear(x, w);
        var again = new StepProjection(x, w, null, s => running[s], reverse: false, chunk: 4).At(6);
        for (int r = 0; r < again.Chunk.Shape[0]; r++)
            for (int o = 0; o < Out; o++)
                Assert.Equal(full.Data[(r * steps + 6) * Out + o], again.Chunk.Data[(r * 4 + again.Step) * Out + o], 5);
    }

    [Fact]
    public void A_step_by_step_backward_never_holds_the_whole_projection_gradient()
    {
        var rng = new Random(25);
        int b = 8, steps = 40, outF = 64;
        var x = Leaf(rng, b, steps, In);
        var w = Leaf(rng, outF, In);
        var bias = Leaf(rng, outF);
        var a = Leaf(rng, b, outF);
        using var scope = TensorScope.Begin();
        var p = new StepProjection(x, w, bias, _ => b, reverse: false, chunk: steps); // one chunk: the whole sequence
        Tensor sum = Ops.Sum(Ops.AddStep(a, p.At(0).Chunk, 0, b));
        for (int s = 1; s < steps; s++)
        {
            var (chunk, at) = p.At(s);
            sum = Ops.Add(sum, Ops.Sum(Ops.Tanh(Ops.AddStep(a, chunk, at, b))));
        }
        p.Finish();
        long before = BufferPool.Shared.LiveBytes;
        BufferPool.Shared.ResetPeak();
        sum.Backward();
        long extra = BufferPool.Shared.PeakLiveBytes - before;
        long whole = (long)b * steps * outF * sizeof(float);
        // What the pass adds: x's gradient [B, T, In] (In = 4), a step's [B, Out] buffers, the scalars' gradients.
        Assert.True(extra < whole / 2, $"the backward held {extra} bytes beyond the forward's; the whole projection's gradient is {whole}");
    }
}
