using Attend.Tensors;

namespace Attend.Tensors.Tests;

[Collection(BufferPoolCollection.Name)]
public class AutogradTests
{
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
