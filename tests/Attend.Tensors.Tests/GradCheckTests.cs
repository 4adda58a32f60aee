using Attend.Tensors;
using static Attend.Tensors.Tests.GradCheck;

namespace Attend.Tensors.Tests;

/// <summary>Every op's backward against finite differences, on small shapes including size 1 and odd sizes.</summary>
public class GradCheckTests
{
    public static TheoryData<int[]> Shapes => new() { new[] { 1 }, new[] { 7 }, new[] { 3, 5 }, new[] { 2, 3, 17 }, new[] { 1, 1 } };

    private static readonly Rng R = new(2024);

    private static Tensor Awayfrom0(Tensor t)
    {
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) if (MathF.Abs(d[i]) < 0.1f) d[i] = d[i] < 0 ? -0.5f : 0.5f;
        return t;
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Unary_functions(int[] shape)
    {
        var rng = new Rng(1);
        Check(x => Ops.Tanh(x[0]), Randn(rng, shape));
        Check(x => Ops.Sigmoid(x[0]), Randn(rng, shape));
        Check(x => Ops.Relu(x[0]), Awayfrom0(Randn(rng, shape)));
        Check(x => Ops.Exp(x[0]), Randn(rng, shape));
        Check(x => Ops.Log(x[0]), Uniform(rng, 0.5f, 2f, shape));
        Check(x => Ops.Scale(x[0], -1.75f), Randn(rng, shape));
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Binary_functions_of_equal_shapes(int[] shape)
    {
        var rng = new Rng(2);
        Check(x => Ops.Add(x[0], x[1]), Randn(rng, shape), Randn(rng, shape));
        Check(x => Ops.Sub(x[0], x[1]), Randn(rng, shape), Randn(rng, shape));
        Check(x => Ops.Mul(x[0], x[1]), Randn(rng, shape), Randn(rng, shape));
        Check(x => Ops.Div(x[0], x[1]), Randn(rng, shape), Uniform(rng, 0.5f, 2f, shape));
        var same = Randn(rng, shape);
        Check(x => Ops.Mul(x[0], x[0]), same);
        Check(x => Ops.Div(x[0], x[0]), Uniform(rng, 0.5f, 2f, shape));
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Binary_functions_broadcasting_a_row_and_a_scalar(int[] shape)
    {
        var rng = new Rng(3);
        int last = shape[^1];
        foreach (var b in new[] { new[] { last }, new[] { 1 }, Array.Empty<int>() })
        {
            Check(x => Ops.Add(x[0], x[1]), Randn(rng, shape), Randn(rng, b));
            Check(x => Ops.Sub(x[0], x[1]), Randn(rng, shape), Randn(rng, b));
            Check(x => Ops.Mul(x[0], x[1]), Randn(rng, shape), Randn(rng, b));
            Check(x => Ops.Div(x[0], x[1]), Randn(rng, shape), Uniform(rng, 0.7f, 2f, b));
        }
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Softmax_and_log_softmax(int[] shape)
    {
        var rng = new Rng(4);
        Check(x => Ops.Softmax(x[0]), Randn(rng, shape));
        Check(x => Ops.LogSoftmax(x[0]), Randn(rng, shape));
    }

    [Fact]
    public void Masked_softmax_with_a_mask_of_the_same_shape_and_a_broadcast_one()
    {
        var rng = new Rng(5);
        // Row 1 of the [3, 5] mask is fully masked; row 2 keeps one position.
        var mask = Tensor.FromArray([1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0], 3, 5);
        Check(x => Ops.MaskedSoftmax(x[0], mask), Randn(rng, 3, 5));
        Check(x => Ops.MaskedSoftmax(x[0], mask), Randn(rng, 3, 4, 5));
        var ones = Tensor.Full(1f, 2, 1);
        Check(x => Ops.MaskedSoftmax(x[0], ones), Randn(rng, 2, 1));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void Cross_entropy_with_ignored_targets_and_label_smoothing(float smoothing)
    {
        var rng = new Rng(6);
        Check(x => Ops.CrossEntropy(x[0], [3, 0, 1, 6, 0], ignoreIndex: 0, labelSmoothing: smoothing), Randn(rng, 5, 7));
        Check(x => Ops.CrossEntropy(x[0], [0], ignoreIndex: -100, labelSmoothing: smoothing), Randn(rng, 1, 1));
        Check(x => Ops.CrossEntropy(x[0], [2, 2], ignoreIndex: 1, labelSmoothing: smoothing), Randn(rng, 2, 3));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void Linear_cross_entropy_with_ignored_targets_and_label_smoothing(float smoothing)
    {
        var rng = new Rng(16);
        // x [B = 2, T = 3, R = 4], weight [V = 6, 4], bias [6]; two of the six rows are padding.
        Check(x => Ops.LinearCrossEntropy(x[0], x[1], x[2], [3, 0, 1, 5, 2, 0], ignoreIndex: 0, labelSmoothing: smoothing),
            Randn(rng, 2, 3, 4), Randn(rng, 6, 4), Randn(rng, 6));
        Check(x => Ops.LinearCrossEntropy(x[0], x[1], null, [1, 2], ignoreIndex: 0, labelSmoothing: smoothing),
            Randn(rng, 2, 3), Randn(rng, 5, 3));
    }

    [Fact]
    public void Embedding_and_index_select()
    {
        var rng = new Rng(7);
        // No padding id here: the padding row is read but, by design, gets no gradient (see EmbeddingTests).
        Check(w => Ops.Embedding(w[0], [1, 3, 3, 0, 4, 1], [2, 3]), Randn(rng, 5, 3));
        Check(w => Ops.Embedding(w[0], [0], [1]), Randn(rng, 1, 1));
        Check(x => Ops.IndexSelect(x[0], [2, 0, 2, 1]), Randn(rng, 3, 2, 3));
        Check(x => Ops.IndexSelect(x[0], [0, 0]), Randn(rng, 1, 5));
    }

    [Fact]
    public void Concat_stack_slice_split()
    {
        var rng = new Rng(8);
        Check(x => Ops.Concat(x, 0), Randn(rng, 2, 3), Randn(rng, 1, 3), Randn(rng, 3, 3));
        Check(x => Ops.Concat(x, 1), Randn(rng, 2, 1, 3), Randn(rng, 2, 4, 3));
        Check(x => Ops.Concat(x, -1), Randn(rng, 2, 3, 1), Randn(rng, 2, 3, 2));
        Check(x => Ops.Stack(x, 0), Randn(rng, 2, 3), Randn(rng, 2, 3));
        Check(x => Ops.Stack(x, 1), Randn(rng, 2, 3), Randn(rng, 2, 3), Randn(rng, 2, 3));
        Check(x => Ops.Stack(x, -1), Randn(rng, 3), Randn(rng, 3));
        Check(x => Ops.Slice(x[0], 1, 1, 2), Randn(rng, 2, 5, 3));
        Check(x => Ops.Slice(x[0], -1, 0, 1), Randn(rng, 3, 4));
        Check(x => Ops.Concat(Ops.Split(x[0], 1, 2, 1, 2).Reverse().ToArray(), 1), Randn(rng, 3, 5));
    }

    [Fact]
    public void Reshape_transpose_and_reductions()
    {
        var rng = new Rng(9);
        Check(x => Ops.Reshape(x[0], 3, -1), Randn(rng, 2, 3, 2));
        Check(x => Ops.Transpose(x[0]), Randn(rng, 3, 5));
        Check(x => Ops.Transpose(x[0]), Randn(rng, 2, 1, 7));
        Check(x => Ops.Sum(x[0]), Randn(rng, 3, 4));
        Check(x => Ops.Mean(x[0]), Randn(rng, 7));
        Check(x => Ops.SumLastDim(x[0]), Randn(rng, 2, 3, 5));
        Check(x => Ops.SumLastDim(x[0]), Randn(rng, 1));
    }

    [Fact]
    public void Dropout_with_a_fixed_seed()
    {
        var rng = new Rng(10);
        Check(x => Ops.Dropout(x[0], 0.3f, new Rng(99), training: true), Randn(rng, 4, 9));
    }

    public static TheoryData<bool, bool, bool> MatMulCases()
    {
        var d = new TheoryData<bool, bool, bool>();
        foreach (var batched in new[] { false, true })
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                    d.Add(batched, ta, tb);
        return d;
    }

    [Theory, MemberData(nameof(MatMulCases))]
    public void MatMul_every_transpose_flag(bool batched, bool transA, bool transB)
    {
        var rng = new Rng(11);
        foreach (var (m, k, n) in new[] { (3, 5, 2), (1, 1, 1), (1, 7, 3) })
        {
            int[] Lead(int[] s) => batched ? [2, .. s] : s;
            var a = Randn(rng, Lead(transA ? [k, m] : [m, k]));
            var b = Randn(rng, Lead(transB ? [n, k] : [k, n]));
            Check(x => Ops.MatMul(x[0], x[1], transA, transB), a, b);
        }
    }

    [Fact]
    public void Linear_with_and_without_bias()
    {
        var rng = new Rng(12);
        Check(x => Ops.Linear(x[0], x[1], x[2]), Randn(rng, 3, 4), Randn(rng, 5, 4), Randn(rng, 5));
        Check(x => Ops.Linear(x[0], x[1]), Randn(rng, 2, 3, 4), Randn(rng, 1, 4));
        Check(x => Ops.Linear(x[0], x[1], x[2]), Randn(rng, 1, 1), Randn(rng, 1, 1), Randn(rng, 1));
    }

    [Fact]
    public void A_composed_graph_that_reuses_tensors()
    {
        // Attention-like: scores = (q·Kᵀ), weights = masked softmax, context = weights·V, tanh, loss.
        var rng = new Rng(13);
        var mask = Tensor.FromArray([1, 1, 0, 1, 1, 1], 2, 3);
        Check(x =>
        {
            var scores = Ops.MatMul(x[0], x[1], transB: true);              // [2, 1, 3]
            var w = Ops.MaskedSoftmax(scores, mask);
            var ctx = Ops.Tanh(Ops.MatMul(w, x[1]));                         // [2, 1, 4]
            var logits = Ops.Linear(Ops.Reshape(ctx, 2, 4), x[2]);          // [2, 5]
            return Ops.CrossEntropy(Ops.Add(logits, Ops.Scale(logits, 0.5f)), [3, 1], labelSmoothing: 0.1f);
        }, Randn(rng, 2, 1, 4), Randn(rng, 2, 3, 4), Randn(rng, 5, 4));
    }
}
