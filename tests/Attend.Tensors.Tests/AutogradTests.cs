using Attend.Tensors;

namespace Attend.Tensors.Tests;

[Collection(GlobalStateCollection.Name)]
public class AutogradTests
{
    [Fact]
    public void Backward_drops_interior_gradients_once_passed_on_and_keeps_the_leaves()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.Parameter("x", 4);
        new float[] { -1f, 0.5f, 2f, 0.1f }.CopyTo(x.Data);
        var h = Ops.Tanh(x);
        var y = Ops.Sum(Ops.Mul(h, h));
        y.Backward();
        // Interior nodes hold no gradient after the pass (their buffers went back to the pool during it) …
        Assert.False(h.HasGrad);
        Assert.False(y.HasGrad);
        // … and the leaf got the whole chain: d/dx Σ tanh²(x) = 2 tanh(x) (1 − tanh²(x)).
        for (int i = 0; i < 4; i++)
        {
            double th = Math.Tanh(x.Data[i]);
            Assert.Equal(2 * th * (1 - th * th), x.Grad[i], 1e-5);
        }
    }

    [Fact]
    public void Backward_through_a_deep_chain_does_not_recurse()
    {
        // 100k nodes would overflow the stack of a recursive topological sort.
        var x = Tensor.Parameter("x", 1);
        x.Data[0] = 1f;
        var one = Tensor.Scalar(1e-6f);
        var y = x;
        for (int i = 0; i < 100_000; i++) y = Ops.Add(y, one);
        y.Backward();
        Assert.Equal(1f, x.Grad[0]);
    }

    [Fact]
    public void Gradients_accumulate_when_a_tensor_is_used_twice()
    {
        var x = Tensor.Parameter("x", 3);
        x.Data.Fill(2f);
        var y = Ops.Add(x, x);
        y.Backward(Tensor.FromArray([1f, 2f, 3f], 3));
        Assert.Equal([2f, 4f, 6f], x.Grad.ToArray());
    }

    [Fact]
    public void GradMode_off_records_nothing()
    {
        var x = Tensor.Parameter("x", 2);
        using (GradMode.Off())
        {
            var y = Ops.Add(x, x);
            Assert.False(y.RequiresGrad);
            Assert.Throws<InvalidOperationException>(() => y.Backward());
        }
    }

    [Fact]
    public void Backward_visits_nodes_in_post_order_with_parents_in_argument_order()
    {
        var x = Tensor.Parameter("x", 3);
        var a = Ops.Tanh(x);
        var b = Ops.Exp(x);
        var c = Ops.Mul(a, b);
        var d = Ops.Add(c, a);
        Assert.Equal([a, b, c, d], Autograd.TopologicalOrder(d));
        var e = Ops.Add(b, c);
        Assert.Equal([b, a, c, e], Autograd.TopologicalOrder(e));
    }

    [Fact]
    public void The_same_graph_built_twice_gives_bit_identical_gradients()
    {
        // Many partial gradients of different sizes meet in x: float addition in any other order
        // would change the last bits.
        static float[] Grad()
        {
            var x = Tensor.Parameter("x", 5);
            new Rng(3).FillNormal(x.Data, 0f, 1f);
            var terms = new List<Tensor>();
            for (int i = 0; i < 60; i++) terms.Add(Ops.Scale(Ops.Tanh(Ops.Scale(x, 0.1f * (i + 1))), MathF.Pow(1.37f, i % 17)));
            var sum = terms[0];
            foreach (var t in terms.Skip(1)) sum = Ops.Add(sum, Ops.Mul(t, x));
            Ops.Sum(sum).Backward();
            return x.Grad.ToArray();
        }
        var first = Grad();
        for (int run = 0; run < 3; run++)
            Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), Grad().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void GradMode_scopes_nest_restore_recording_and_belong_to_their_thread()
    {
        var x = Tensor.Parameter("x", 2);
        using (GradMode.Off())
        {
            using (GradMode.Off()) Assert.False(Ops.Tanh(x).RequiresGrad);
            // Leaving the inner scope does not turn recording back on inside the outer one.
            Assert.False(GradMode.IsEnabled);
            Assert.False(Ops.Tanh(x).RequiresGrad);
            // Another thread keeps recording.
            bool other = false;
            var thread = new Thread(() => other = GradMode.IsEnabled && Ops.Tanh(x).RequiresGrad);
            thread.Start();
            thread.Join();
            Assert.True(other);
        }
        Assert.True(GradMode.IsEnabled);
        var y = Ops.Sum(Ops.Tanh(x));
        Assert.True(y.RequiresGrad);
        y.Backward();
        Assert.Equal(2, x.Grad.Length);
        Assert.All(x.Grad.ToArray(), g => Assert.Equal(1f, g));
    }

    [Fact]
    public void Scoped_buffers_are_reused_by_the_next_scope()
    {
        var pool = BufferPool.Shared;
        var w = Tensor.Parameter("w", 64, 64);
        for (int step = 0; step < 3; step++)
        {
            using var scope = TensorScope.Begin();
            var x = Tensor.Zeros(8, 64);
            var y = Ops.Linear(x, w);
            Ops.Add(y, y);
        }
        long before = pool.Allocations;
        using (TensorScope.Begin())
        {
            var x = Tensor.Zeros(8, 64);
            var y = Ops.Linear(x, w);
            Ops.Add(y, y);
        }
        Assert.Equal(before, pool.Allocations);
    }

    [Fact]
    public void A_tensor_used_after_its_scope_fails_loudly()
    {
        Tensor t;
        using (TensorScope.Begin()) t = Tensor.Zeros(3);
        Assert.Throws<ObjectDisposedException>(() => t.Data[0]);
    }
}
