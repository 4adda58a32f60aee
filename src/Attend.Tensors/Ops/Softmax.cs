using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>Softmax, masked softmax and log-softmax over the last dimension (row kernels in Kernels/Softmax.cs).</summary>
public static partial class Ops
{
    /// <summary>exp(x) / Σ exp(x) along the last dimension, any rank ≥ 1, stable for large scores.</summary>
    public static Tensor Softmax(Tensor x)
    {
        RequireRank(nameof(Softmax), x, 1);
        int cols = x.Shape[^1], rows = RowsOf(x);
        var y = Tensor.Empty(x.Shape);
        for (int r = 0; r < rows; r++) SoftmaxRow.Forward(x.Data.Slice(r * cols, cols), y.Data.Slice(r * cols, cols));
        return y.Attach(() =>
        {
            for (int r = 0; r < rows; r++)
                SoftmaxRow.Backward(y.Data.Slice(r * cols, cols), y.Grad.Slice(r * cols, cols), x.Grad.Slice(r * cols, cols));
        }, x);
    }

    /// <summary>
    /// Softmax along the last dimension over the positions where <paramref name="mask"/> is non-zero.
    /// Masked positions get exactly 0 weight and exactly 0 gradient; a fully masked row is all zeros.
    /// Shapes: mask equal to x (e.g. x [B, S], mask [B, S]), or x [B, T, S] with mask [B, S] shared by
    /// the T rows of each batch entry. A mask of x's rank may have more entries along its first dimension
    /// (x [n, S] against mask [B ≥ n, S]): x is then the first n sentences of the mask's batch, as in a
    /// decoder step over the sentences of a length-sorted batch that are still running.
    /// </summary>
    public static Tensor MaskedSoftmax(Tensor x, Tensor mask)
    {
        RequireRank(nameof(MaskedSoftmax), x, 1);
        int cols = x.Shape[^1], rows = RowsOf(x);
        // Rows of x per mask row: 1 when shapes match, T for x [B, T, S] against mask [B, S].
        int share;
        if (mask.Rank == x.Rank && mask.Shape[0] >= x.Shape[0] && ShapeOf.Same(x.Shape.AsSpan(1), mask.Shape.AsSpan(1))) share = 1;
        else if (x.Rank == 3 && mask.Rank == 2 && mask.Shape[0] == x.Shape[0] && mask.Shape[1] == x.Shape[2]) share = x.Shape[1];
        else
            throw new ArgumentException($"MaskedSoftmax: mask {ShapeOf.Format(mask.Shape)} does not fit scores {ShapeOf.Format(x.Shape)} " +
                                        "(mask must have the scores' shape, at least as many rows of it, or be [B, S] for scores [B, T, S])");
        var y = Tensor.Empty(x.Shape);
        for (int r = 0; r < rows; r++)
            SoftmaxRow.MaskedForward(x.Data.Slice(r * cols, cols), mask.Data.Slice(r / share * cols, cols), y.Data.Slice(r * cols, cols));
        return y.Attach(() =>
        {
            for (int r = 0; r < rows; r++)
                SoftmaxRow.MaskedBackward(y.Data.Slice(r * cols, cols), y.Grad.Slice(r * cols, cols),
                    mask.Data.Slice(r / share * cols, cols), x.Grad.Slice(r * cols, cols));
        }, x);
    }

    /// <summary>
    /// <see cref="LogSoftmax"/> written over x itself, for scores nothing reads afterwards (a decoding step's
    /// logits: a batched beam's [B·K, V] buffer fewer). Returns x; throws when x takes part in a graph.
    /// </summary>
    public static Tensor LogSoftmaxInPlace(Tensor x)
    {
        RequireRank(nameof(LogSoftmaxInPlace), x, 1);
        if (x.RequiresGrad && GradMode.IsEnabled)
            throw new InvalidOperationException($"LogSoftmaxInPlace: {x} takes part in a graph whose backward would read the overwritten values (use LogSoftmax)");
        int cols = x.Shape[^1], rows = RowsOf(x);
        RowParallel.For(rows, cols, RowParallel.TwoChunksPerThread(rows), (_, lo, hi) =>
        {
            for (int r = lo; r < hi; r++) SoftmaxRow.LogForward(x.Data.Slice(r * cols, cols), x.Data.Slice(r * cols, cols));
        });
        return x;
    }

    /// <summary>x − log Σ exp(x) along the last dimension (max-shifted, so large scores do not overflow).</summary>
    public static Tensor LogSoftmax(Tensor x)
    {
        RequireRank(nameof(LogSoftmax), x, 1);
        int cols = x.Shape[^1], rows = RowsOf(x);
        var y = Tensor.Empty(x.Shape);
        // Rows are independent: a beam step's [B·K, V] log-probabilities run on every thread.
        RowParallel.For(rows, cols, RowParallel.TwoChunksPerThread(rows), (_, lo, hi) =>
        {
            for (int r = lo; r < hi; r++) SoftmaxRow.LogForward(x.Data.Slice(r * cols, cols), y.Data.Slice(r * cols, cols));
        });
        return y.Attach(() =>
        {
            _ = x.Grad; // allocated here, not by the first row of each thread
            RowParallel.For(rows, cols, RowParallel.TwoChunksPerThread(rows), (_, lo, hi) =>
            {
                for (int r = lo; r < hi; r++)
                    SoftmaxRow.LogBackward(y.Data.Slice(r * cols, cols), y.Grad.Slice(r * cols, cols), x.Grad.Slice(r * cols, cols));
            });
        }, x);
    }

    /// <summary>Number of rows when viewed as [rows, last dimension].</summary>
    internal static int RowsOf(Tensor x) => x.Rank == 0 ? 1 : ShapeOf.Count(x.Shape.AsSpan(0, x.Rank - 1));

    internal static void RequireRank(string op, Tensor x, int minRank)
    {
        if (x.Rank < minRank)
            throw new ArgumentException($"{op}: needs a tensor of rank ≥ {minRank}, got {ShapeOf.Format(x.Shape)}");
    }
}
