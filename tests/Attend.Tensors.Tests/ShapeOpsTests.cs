using Attend.Tensors;

namespace Attend.Tensors.Tests;

public class ShapeOpsTests
{
    private static Tensor Range(params int[] shape)
    {
        var t = Tensor.Empty(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = i;
        return t;
    }

    [Fact]
    public void Concat_joins_along_any_dimension()
    {
        var a = Range(2, 2);            // [[0,1],[2,3]]
        var b = Tensor.FromArray([9f, 8f], 2, 1);
        var y = Ops.Concat([a, b], -1);
        Assert.Equal([2, 3], y.Shape);
        Assert.Equal([0f, 1f, 9f, 2f, 3f, 8f], y.ToArray());
        var z = Ops.Concat([a, Tensor.FromArray([7f, 6f], 1, 2)], 0);
        Assert.Equal([0f, 1f, 2f, 3f, 7f, 6f], z.ToArray());
        var e = Assert.Throws<ArgumentException>(() => Ops.Concat([a, Range(3, 3)], 0));
        Assert.Contains("[3, 3]", e.Message);
        Assert.Contains("[2, 2]", e.Message);
    }

    [Fact]
    public void Select_takes_one_index_and_drops_the_dimension_with_the_gradient_of_slice_then_reshape()
    {
        var x = Range(2, 3, 2);             // x[b, t, d] = 6b + 2t + d
        x.RequiresGrad = true;
        var y = Ops.Select(x, 1, 2);
        Assert.Equal([2, 2], y.Shape);
        Assert.Equal([4f, 5f, 10f, 11f], y.ToArray());
        Ops.Sum(Ops.Mul(y, Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2))).Backward();
        Assert.Equal([0f, 0f, 0f, 0f, 1f, 2f, 0f, 0f, 0f, 0f, 3f, 4f], x.Grad.ToArray());
        Assert.Equal([1f, 3f, 5f], Ops.Select(x, -1, 1).ToArray().AsSpan(0, 3).ToArray());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Select(x, 1, 3));
        Assert.Contains("[2, 3, 2]", e.Message);
    }

    [Fact]
    public void Select_of_the_first_rows_equals_select_then_slice_with_its_gradient()
    {
        var x = Range(3, 4, 2);
        x.RequiresGrad = true;
        var y = Ops.Select(x, 1, 2, firstRows: 2);
        Assert.Equal([2, 2], y.Shape);
        Assert.Equal(Ops.Slice(Ops.Select(x, 1, 2), 0, 0, 2).ToArray(), y.ToArray());
        Ops.Sum(Ops.Mul(y, Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2))).Backward();
        var expected = new float[24];
        (expected[4], expected[5], expected[12], expected[13]) = (1f, 2f, 3f, 4f);
        Assert.Equal(expected, x.Grad.ToArray());
        Assert.Equal([0, 2], Ops.Select(x, 1, 0, firstRows: 0).Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Select(x, 1, 0, firstRows: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Select(x, 0, 0, firstRows: 1));
    }

    [Fact]
    public void Stack_steps_zero_fills_the_rows_a_step_did_not_run_and_routes_gradients_back()
    {
        var s0 = Tensor.Parameter("s0", 3, 2);
        var s2 = Tensor.Parameter("s2", 1, 2);
        Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 3, 2).Data.CopyTo(s0.Data);
        s2.Data[0] = 7f; s2.Data[1] = 8f;
        var y = Ops.StackSteps([s0, null, s2], 3);
        Assert.Equal([3, 3, 2], y.Shape);
        Assert.Equal([1f, 2f, 0f, 0f, 7f, 8f, 3f, 4f, 0f, 0f, 0f, 0f, 5f, 6f, 0f, 0f, 0f, 0f], y.ToArray());
        var g = Tensor.Empty(3, 3, 2);
        for (int i = 0; i < 18; i++) g.Data[i] = i;
        y.Backward(g);
        Assert.Equal([0f, 1f, 6f, 7f, 12f, 13f], s0.Grad.ToArray());
        Assert.Equal([4f, 5f], s2.Grad.ToArray());
        var a = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        Assert.Equal(Ops.Stack([a, a], 1).ToArray(), Ops.StackSteps([a, a], 2).ToArray());
        Assert.Throws<ArgumentException>(() => Ops.StackSteps([Tensor.Zeros(4, 2)], 3));
        Assert.Throws<ArgumentException>(() => Ops.StackSteps([null], 3));
    }

    [Fact]
    public void Stack_adds_a_dimension()
    {
        var a = Tensor.FromArray([1f, 2f], 2);
        var b = Tensor.FromArray([3f, 4f], 2);
        Assert.Equal([1f, 2f, 3f, 4f], Ops.Stack([a, b], 0).ToArray());
        var y = Ops.Stack([a, b], 1);
        Assert.Equal([2, 2], y.Shape);
        Assert.Equal([1f, 3f, 2f, 4f], y.ToArray());
    }

    [Fact]
    public void Slice_and_split_cut_a_dimension()
    {
        var x = Range(2, 4);
        Assert.Equal([1f, 2f, 5f, 6f], Ops.Slice(x, 1, 1, 2).ToArray());
        var parts = Ops.Split(x, -1, 1, 3);
        Assert.Equal([0f, 4f], parts[0].ToArray());
        Assert.Equal([2, 3], parts[1].Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(x, 1, 3, 2));
        Assert.Throws<ArgumentException>(() => Ops.Split(x, 1, 2, 3));
    }

    [Fact]
    public void Reshape_infers_one_dimension_and_names_both_shapes_on_error()
    {
        var x = Range(2, 3, 2);
        var y = Ops.Reshape(x, -1, 4);
        Assert.Equal([3, 4], y.Shape);
        Assert.Equal(x.ToArray(), y.ToArray());
        var e = Assert.Throws<ArgumentException>(() => Ops.Reshape(x, 5, -1));
        Assert.Contains("[2, 3, 2]", e.Message);
        Assert.Contains("[5, -1]", e.Message);
    }

    [Fact]
    public void Transpose_swaps_the_last_two_dimensions_per_batch()
    {
        var x = Range(2, 2, 3);
        var y = Ops.Transpose(x);
        Assert.Equal([2, 3, 2], y.Shape);
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f, 6f, 9f, 7f, 10f, 8f, 11f], y.ToArray());
    }

    [Fact]
    public void Reductions()
    {
        var x = Range(2, 3);
        Assert.Equal(15f, Ops.Sum(x).Item());
        Assert.Equal(2.5f, Ops.Mean(x).Item());
        var s = Ops.SumLastDim(x);
        Assert.Equal([2], s.Shape);
        Assert.Equal([3f, 12f], s.ToArray());
    }

    [Fact]
    public void Broadcast_errors_name_both_shapes()
    {
        foreach (var op in new Func<Tensor, Tensor, Tensor>[] { Ops.Add, Ops.Sub, Ops.Mul, Ops.Div })
        {
            var e = Assert.Throws<ArgumentException>(() => op(Tensor.Zeros(2, 3), Tensor.Zeros(2)));
            Assert.Contains("[2, 3]", e.Message);
            Assert.Contains("[2]", e.Message);
        }
    }

    [Fact]
    public void Mul_and_div_broadcast_a_row_and_a_scalar()
    {
        var x = Range(2, 2);
        Assert.Equal([0f, 2f, 2f, 6f], Ops.Mul(x, Tensor.FromArray([1f, 2f], 2)).ToArray());
        Assert.Equal([0f, 0.5f, 1f, 1.5f], Ops.Div(x, Tensor.Scalar(2f)).ToArray());
        Assert.Equal([0f, 0.25f, 2f, 0.75f], Ops.Div(x, Tensor.FromArray([1f, 4f], 2)).ToArray());
    }
}
