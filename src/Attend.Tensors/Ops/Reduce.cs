using System.Numerics.Tensors;

namespace Attend.Tensors;

/// <summary>Reductions: Sum and Mean to a scalar, SumLastDim, SumChunks.</summary>
public static partial class Ops
{
    /// <summary>Σ x, a scalar.</summary>
    public static Tensor Sum(Tensor x)
    {
        var y = Tensor.Empty();
        y.Data[0] = TensorPrimitives.Sum(x.Data);
        return y.Attach(() => TensorPrimitives.Add(x.Grad, y.Grad[0], x.Grad), x);
    }

    /// <summary>Σ x / count, a scalar (NaN for an empty tensor, as in PyTorch).</summary>
    public static Tensor Mean(Tensor x)
    {
        var y = Tensor.Empty();
        y.Data[0] = TensorPrimitives.Sum(x.Data) / x.Length;
        return y.Attach(() => TensorPrimitives.Add(x.Grad, y.Grad[0] / x.Length, x.Grad), x);
    }

    /// <summary>Sum over the last dimension: [..., N] → [...].</summary>
    public static Tensor SumLastDim(Tensor x)
    {
        RequireRank(nameof(SumLastDim), x, 1);
        int cols = x.Shape[^1], rows = RowsOf(x);
        var y = Tensor.Empty(x.Shape[..^1]);
        for (int r = 0; r < rows; r++) y.Data[r] = TensorPrimitives.Sum(x.Data.Slice(r * cols, cols));
        return y.Attach(() =>
        {
            var dx = x.Grad;
            var dy = y.Grad;
            for (int r = 0; r < rows; r++)
            {
                var dxr = dx.Slice(r * cols, cols);
                TensorPrimitives.Add(dxr, dy[r], dxr);
            }
        }, x);
    }

    /// <summary>
    /// The sum of the <paramref name="chunks"/> equal blocks of the last dimension: [..., K·D] → [..., D]
    /// (a bidirectional encoder's directions summed, h→ + h←). Slice + Slice + Add without the two slices.
    /// </summary>
    public static Tensor SumChunks(Tensor x, int chunks)
    {
        RequireRank(nameof(SumChunks), x, 1);
        int cols = x.Shape[^1], rows = RowsOf(x);
        if (chunks < 1 || cols % chunks != 0)
            throw new ArgumentException($"{nameof(SumChunks)}: the last dimension of {ShapeOf.Format(x.Shape)} does not split into {chunks} equal chunks");
        int d = cols / chunks;
        var shape = (int[])x.Shape.Clone();
        shape[^1] = d;
        var y = Tensor.Empty(shape);
        for (int r = 0; r < rows; r++)
        {
            var src = x.Data.Slice(r * cols, cols);
            var dst = y.Data.Slice(r * d, d);
            src[..d].CopyTo(dst);
            for (int k = 1; k < chunks; k++) TensorPrimitives.Add(dst, src.Slice(k * d, d), dst);
        }
        return y.Attach(() =>
        {
            var dx = x.Grad;
            var dy = y.Grad;
            for (int r = 0; r < rows; r++)
                for (int k = 0; k < chunks; k++)
                {
                    var dxr = dx.Slice(r * cols + k * d, d);
                    TensorPrimitives.Add(dxr, dy.Slice(r * d, d), dxr);
                }
        }, x);
    }

    /// <summary>
    /// Index of the largest value of each row of x [.., N] into <paramref name="dst"/> (one per row; the
    /// first index on ties, NaN never largest). Not differentiable: it reads the data only.
    /// </summary>
    public static void ArgMaxRows(Tensor x, Span<int> dst)
    {
        RequireRank(nameof(ArgMaxRows), x, 1);
        int cols = x.Shape[^1], rows = RowsOf(x);
        if (dst.Length != rows) throw new ArgumentException($"{nameof(ArgMaxRows)}: {dst.Length} destinations for {rows} rows of {ShapeOf.Format(x.Shape)}");
        if (cols == 0) throw new ArgumentException($"{nameof(ArgMaxRows)}: rows of {ShapeOf.Format(x.Shape)} are empty");
        for (int r = 0; r < rows; r++) dst[r] = Kernels.ArgMax.Of(x.Data.Slice(r * cols, cols));
    }
}
