using Attend.Tensors;

namespace Attend.Tensors.Tests;

/// <summary>
/// Tests that count the shared pool's allocations or change process-wide settings (Parallelism.MaxThreads)
/// run alone, so no concurrent test moves their counters or sees their settings.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalStateCollection
{
    public const string Name = "Global state";
}

[Collection(GlobalStateCollection.Name)]
public class PooledBuffersTests
{
    [Fact]
    public void Promote_hands_a_tensor_to_the_enclosing_scope_and_refuses_one_with_a_graph()
    {
        using var outer = TensorScope.Begin();
        Tensor kept, dropped;
        using (GradMode.Off())
        using (var inner = TensorScope.Begin())
        {
            kept = TensorScope.Promote(Tensor.Full(3f, 4));
            dropped = Tensor.Full(1f, 4);
            Assert.Equal(1, inner.Count);
            Assert.Same(kept, TensorScope.Promote(kept)); // not the inner scope's any more: returned as is
        }
        Assert.Equal([3f, 3f, 3f, 3f], kept.ToArray());
        Assert.Throws<ObjectDisposedException>(() => dropped.Data.ToArray());
        Assert.Equal(1, outer.Count);

        var p = Tensor.Parameter("p", 2);
        using (var inner = TensorScope.Begin())
        {
            var y = Ops.Mul(p, p);
            var e = Assert.Throws<InvalidOperationException>(() => TensorScope.Promote(y));
            Assert.Contains("GradMode.Off", e.Message);
        }
    }

    [Fact]
    public void An_empty_size_class_borrows_a_free_array_up_to_one_octave_larger()
    {
        var pool = new BufferPool();
        var big = pool.Rent(1000); // class of capacity 1024
        pool.Return(big);
        Assert.Same(big, pool.Rent(600)); // class 640, three classes below: reused
        pool.Return(big);
        var small = pool.Rent(400); // class 448, five classes below: a new array
        Assert.NotSame(big, small);
        Assert.Equal(448, small.Length);
        Assert.Equal(2, pool.Allocations);
        Assert.Same(big, pool.Rent(1000));
    }

    [Fact]
    public void The_pool_counts_what_it_holds_what_is_handed_out_and_the_peak()
    {
        var pool = new BufferPool();
        var a = pool.Rent(1000); // capacity 1024
        var b = pool.Rent(100); // capacity 112
        Assert.Equal((1024 + 112) * 4, pool.AllocatedBytes);
        Assert.Equal((1024 + 112) * 4, pool.LiveBytes);
        pool.Return(a);
        Assert.Equal(112 * 4, pool.LiveBytes);
        Assert.Equal((1024 + 112) * 4, pool.PeakLiveBytes);
        pool.ResetPeak();
        Assert.Equal(112 * 4, pool.PeakLiveBytes);
        Assert.Same(a, pool.Rent(900)); // reused: nothing new allocated
        Assert.Equal((1024 + 112) * 4, pool.AllocatedBytes);
        Assert.Equal((1024 + 112) * 4, pool.PeakLiveBytes);
        pool.Return(a);
        pool.Return(b);
        Assert.Equal(0, pool.LiveBytes);
        pool.Trim();
        Assert.Equal(0, pool.AllocatedBytes);
    }

    [Fact]
    public void Release_drops_the_free_arrays_and_collects_them_while_handed_out_ones_stay_valid()
    {
        var pool = new BufferPool();
        var kept = pool.Rent(1 << 20);
        var dropped = Drop(pool);
        kept[^1] = 3f;
        pool.Release();
        Assert.False(dropped.IsAlive); // gone from the process now, not at some later collection
        Assert.Equal((1 << 20) * 4, pool.AllocatedBytes); // only the array still handed out
        Assert.Equal(3f, kept[^1]);
        pool.Return(kept);
        Assert.Same(kept, pool.Rent(1 << 20));

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static WeakReference Drop(BufferPool p)
        {
            var a = p.Rent(1 << 21);
            p.Return(a);
            return new WeakReference(a);
        }
    }

    /// <summary>Fills pooled buffers of every small size class with NaN, so an op that skips an output element shows it.</summary>
    private static void PoisonPool()
    {
        var held = new List<float[]>();
        for (int n = 1; n <= 600; n++)
            for (int k = 0; k < 3; k++)
            {
                var a = BufferPool.Shared.Rent(n);
                a.AsSpan().Fill(float.NaN);
                held.Add(a);
            }
        foreach (var a in held) BufferPool.Shared.Return(a);
    }

    public static IEnumerable<object[]> Cases()
    {
        var mask = Tensor.FromArray([1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0], 3, 4);
        yield return Case("Mul", x => Ops.Mul(x[0], x[1]), [3, 4], [4]);
        yield return Case("Div", x => Ops.Div(x[0], x[1]), [3, 4], [1]);
        yield return Case("Scale", x => Ops.Scale(x[0], 3f), [3, 4]);
        yield return Case("Tanh", x => Ops.Tanh(x[0]), [3, 5]);
        yield return Case("Sigmoid", x => Ops.Sigmoid(x[0]), [3, 5]);
        yield return Case("Relu", x => Ops.Relu(x[0]), [3, 5]);
        yield return Case("Exp", x => Ops.Exp(x[0]), [3, 5]);
        yield return Case("Softmax", x => Ops.Softmax(x[0]), [3, 5]);
        yield return Case("MaskedSoftmax", x => Ops.MaskedSoftmax(x[0], mask), [3, 4]);
        yield return Case("MaskedSoftmax 3-D", x => Ops.MaskedSoftmax(x[0], mask), [3, 2, 4]);
        yield return Case("LogSoftmax", x => Ops.LogSoftmax(x[0]), [3, 5]);
        yield return Case("CrossEntropy", x => Ops.CrossEntropy(x[0], [1, 0, 4], labelSmoothing: 0.1f), [3, 5]);
        yield return Case("Embedding", x => Ops.Embedding(x[0], [1, 0, 4, 4], [2, 2], paddingIdx: 0), [5, 3]);
        yield return Case("IndexSelect", x => Ops.IndexSelect(x[0], [2, 2, 0]), [3, 4]);
        yield return Case("Concat", x => Ops.Concat(x, 1), [2, 3], [2, 2]);
        yield return Case("Stack", x => Ops.Stack(x, 1), [2, 3], [2, 3]);
        yield return Case("Slice", x => Ops.Slice(x[0], 1, 1, 2), [2, 4]);
        yield return Case("Reshape", x => Ops.Reshape(x[0], -1), [2, 4]);
        yield return Case("Transpose", x => Ops.Transpose(x[0]), [2, 3, 5]);
        yield return Case("Sum", x => Ops.Sum(x[0]), [2, 3]);
        yield return Case("Mean", x => Ops.Mean(x[0]), [2, 3]);
        yield return Case("SumLastDim", x => Ops.SumLastDim(x[0]), [2, 3]);
        yield return Case("Dropout", x => Ops.Dropout(x[0], 0.5f, new Rng(4), true), [4, 5]);
        yield return Case("MatMul", x => Ops.MatMul(x[0], x[1], transB: true), [2, 3, 4], [2, 5, 4]);
        yield return Case("Linear", x => Ops.Linear(x[0], x[1], x[2]), [3, 4], [5, 4], [5]);
    }

    private static object[] Case(string name, Func<Tensor[], Tensor> f, params int[][] shapes) => [name, f, shapes];

    [Theory, MemberData(nameof(Cases))]
    public void Ops_write_every_element_of_pooled_outputs(string name, Func<Tensor[], Tensor> f, int[][] shapes)
    {
        var rng = new Rng(17);
        var inputs = shapes.Select(s => GradCheck.Randn(rng, s)).ToArray();
        var seedValues = new float[f(inputs).Length];
        rng.FillNormal(seedValues, 0f, 1f);

        var y = f(inputs);
        y.Backward(Tensor.FromArray(seedValues, y.Shape));
        var expectedY = y.ToArray();
        var expectedGrads = inputs.Select(x => x.Grad.ToArray()).ToArray();

        foreach (var x in inputs) x.ZeroGrad();
        PoisonPool();
        using (TensorScope.Begin())
        {
            var z = f(inputs);
            z.Backward(Tensor.FromArray(seedValues, z.Shape));
            Assert.Equal(expectedY, z.ToArray());
        }
        for (int i = 0; i < inputs.Length; i++)
            Assert.True(expectedGrads[i].SequenceEqual(inputs[i].Grad.ToArray()), $"{name}: gradient of input {i} differs inside a scope");
    }
}
