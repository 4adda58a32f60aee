using Attend.Tensors;

namespace Attend.Tensors.Tests;

public class BackwardEdgeCaseTests
{
    [Fact]
    public void Two_losses_sharing_a_subgraph_each_count_once()
    {
        var x = Tensor.Parameter("x", 3);
        new float[] { 0.5f, -1f, 2f }.CopyTo(x.Data);
        var h = Ops.Tanh(x);
        var l1 = Ops.Sum(h);
        var l2 = Ops.Sum(Ops.Scale(h, 2f));
        l1.Backward();
        l2.Backward();
        for (int i = 0; i < 3; i++)
        {
            double t = Math.Tanh(x.Data[i]);
            Assert.Equal(3 * (1 - t * t), x.Grad[i], 5);
        }
    }

    [Fact]
    public void Backward_twice_on_one_loss_accumulates_exactly_twice()
    {
        var x = Tensor.Parameter("x", 2);
        new float[] { 1f, 3f }.CopyTo(x.Data);
        var loss = Ops.Sum(Ops.Mul(x, x));
        loss.Backward();
        loss.Backward();
        Assert.Equal([4f, 12f], x.Grad.ToArray());
    }

    [Fact]
    public void A_leaf_used_by_many_ops_and_an_unused_branch()
    {
        var x = Tensor.Parameter("x", 2, 2);
        new float[] { 1, 2, 3, 4 }.CopyTo(x.Data);
        var unused = Ops.Exp(x);  // recorded but not on the path to the loss
        var y = Ops.Add(Ops.Mul(x, x), Ops.Transpose(x));
        Ops.Sum(y).Backward();
        Assert.Equal([3f, 5f, 7f, 9f], x.Grad.ToArray());
        Assert.False(unused.HasGrad);
    }

    [Fact]
    public void An_input_that_does_not_require_grad_gets_none()
    {
        var w = Tensor.Parameter("w", 2);
        var c = Tensor.FromArray([1f, 2f], 2);
        var loss = Ops.Sum(Ops.Mul(c, w));
        loss.Backward();
        Assert.False(c.HasGrad);
        Assert.Equal([1f, 2f], w.Grad.ToArray());
    }
}
