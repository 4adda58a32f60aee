using Attend.Tensors;
using Attend.Tensors.Tests.Cells;

namespace Attend.Tensors.Tests;

/// <summary>
/// Values returned to the pool before their scope ends: by Backward(keepValues: false), node by node with
/// the tensors their backward saved, and by <see cref="Tensor.FreeValues"/>. The gradients must not change,
/// a freed value must never be read silently, and the pool must really get the memory back.
/// </summary>
[Collection(GlobalStateCollection.Name)] // reads the shared pool's live bytes
public class FreedValuesTests
{
    private sealed record Net(Tensor Emb, Tensor Wih, Tensor Bih, Tensor Whh, Tensor Bhh, Tensor Wout, Tensor Drop)
    {
        public Tensor[] Parameters => [Emb, Wih, Bih, Whh, Bhh, Wout];

        public static Net Create()
        {
            var rng = new Random(3);
            Tensor P(string name, params int[] shape)
            {
                var p = Tensor.Parameter(name, shape);
                CellTestKit.Uniform(rng, p.Length, 0.5).CopyTo(p.Data);
                return p;
            }
            return new Net(P("emb", 4, 5, 6), P("w_ih", 9, 6), P("b_ih", 9), P("w_hh", 9, 3), P("b_hh", 9), P("w_out", 7, 3), P("unused", 1));
        }

        /// <summary>A GRU over a length-sorted batch, each step's projection read in place, dropout, and the fused output loss.</summary>
        public (Tensor Loss, List<Tensor> Interior) Loss(bool freeProjection)
        {
            var interior = new List<Tensor>();
            var gx = Ops.Linear(Emb, Wih, Bih); // [4, 5, 9]
            interior.Add(gx);
            var h = Tensor.Zeros(4, 3);
            var outs = new List<Tensor>();
            int[] running = [4, 4, 3, 2, 1];
            for (int t = 0; t < 5; t++)
            {
                var hn = Ops.GruCellAt(gx, t, Ops.Slice(h, 0, 0, running[t]), Whh, Bhh);
                interior.Add(hn);
                outs.Add(hn);
                h = hn;
            }
            if (freeProjection) gx.FreeValues();
            var readouts = Ops.Dropout(Ops.Concat(outs, 0), 0.3f, new Rng(5), training: true);
            interior.Add(readouts);
            var targets = Enumerable.Range(0, readouts.Shape[0]).Select(i => i % 7).ToArray();
            return (Ops.LinearCrossEntropy(readouts, Wout, null, targets, ignoreIndex: -1, labelSmoothing: 0.1f), interior);
        }
    }

    private static float[][] Gradients(Net net) => net.Parameters.Select(p => p.Grad.ToArray()).ToArray();

    [Fact]
    public void Backward_without_kept_values_gives_the_same_gradients_and_returns_every_buffer()
    {
        var net = Net.Create();
        float[][] kept;
        float keptLoss;
        using (TensorScope.Begin())
        {
            var (loss, _) = net.Loss(freeProjection: false);
            loss.Backward();
            keptLoss = loss.Item();
            kept = Gradients(net);
        }
        foreach (var p in net.Parameters) p.ZeroGrad();

        using (TensorScope.Begin())
        {
            long baseline = BufferPool.Shared.LiveBytes; // what other tests of the collection left handed out
            var (loss, interior) = net.Loss(freeProjection: false);
            long before = BufferPool.Shared.LiveBytes - baseline;
            loss.Backward(keepValues: false);
            long after = BufferPool.Shared.LiveBytes - baseline;
            // Every op output and every saved tensor (GRU gates, dropout mask, logits) is back in the pool: only the
            // loss itself (one size class of 16 floats) and the plain zero state, never in a graph, are still out.
            Assert.True(before > 3_000, $"the graph held only {before} bytes");
            Assert.True(after <= 2 * 16 * 4 + 12 * 4 + 64, $"{after} of {before} bytes still handed out after the pass");
            Assert.Equal(keptLoss, loss.Item());
            var freed = Assert.Throws<InvalidOperationException>(() => interior[1].Data[0]);
            Assert.Contains("freed", freed.Message);
            Assert.Contains("[4, 3]", freed.Message);
            var g = Gradients(net);
            for (int i = 0; i < g.Length; i++) Assert.Equal(kept[i], g[i]);
        }
    }

    [Fact]
    public void A_freed_projection_still_passes_its_gradient_and_cannot_be_read()
    {
        var net = Net.Create();
        float[][] kept;
        using (TensorScope.Begin())
        {
            net.Loss(freeProjection: false).Loss.Backward();
            kept = Gradients(net);
        }
        foreach (var p in net.Parameters) p.ZeroGrad();
        using (TensorScope.Begin())
        {
            var (loss, interior) = net.Loss(freeProjection: true);
            Assert.Throws<InvalidOperationException>(() => interior[0].Data[0]);
            loss.Backward();
            var g = Gradients(net);
            for (int i = 0; i < g.Length; i++) Assert.Equal(kept[i], g[i]);
        }
        // Outside any scope FreeValues leaves a plain array alone.
        var plain = Tensor.FromArray([1f, 2f], 2);
        plain.FreeValues();
        Assert.Equal(2f, plain.Data[1]);
    }

    [Fact]
    public void After_the_scope_ends_a_freed_tensor_reports_the_ended_scope()
    {
        Tensor y;
        using (TensorScope.Begin())
        {
            var x = Tensor.Parameter("x", 3);
            y = Ops.Tanh(Ops.Mul(Ops.Tanh(x), Ops.Tanh(x)));
            Ops.Sum(y).Backward(keepValues: false);
        }
        Assert.Throws<ObjectDisposedException>(() => y.Data[0]);
        Assert.Throws<ObjectDisposedException>(() => y.Grad[0]);
    }
}

[Collection(GlobalStateCollection.Name)] // the pool hands the dropped buffer straight back
public class DroppedGradientTests
{
    [Fact]
    public void A_dropped_gradient_is_gone_then_rented_zeroed_by_the_next_backward_and_pooled_from_then_on()
    {
        var w = Tensor.Parameter("w", 3);
        new float[] { 1f, 2f, 3f }.CopyTo(w.Data);
        Ops.Sum(Ops.Mul(w, w)).Backward();
        Assert.Equal([2f, 4f, 6f], w.Grad.ToArray());
        w.DropGrad();
        Assert.False(w.HasGrad);
        Ops.Sum(w).Backward();
        Assert.Equal([1f, 1f, 1f], w.Grad.ToArray()); // rented zeroed
        w.DropGrad();                                  // back to the pool, holding 1s
        Ops.Sum(w).Backward();
        Assert.Equal([1f, 1f, 1f], w.Grad.ToArray()); // the same buffer again, zeroed first: nothing left of the last pass
        w.ZeroGrad();
        Assert.Equal([0f, 0f, 0f], w.Grad.ToArray());
        w.DropGrad();
        w.DropGrad(); // twice is harmless
        Assert.False(w.HasGrad);
    }
}
