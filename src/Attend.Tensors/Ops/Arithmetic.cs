using System.Numerics.Tensors;

namespace Attend.Tensors;

/// <summary>
/// Add, Sub, Mul, Div. The right operand may have the same shape as the left, be a vector matching
/// the left's last dimension (broadcast over rows), or hold one element (broadcast everywhere).
/// </summary>
public static partial class Ops
{
    /// <summary>How the right operand of a binary op lines up with the left one.</summary>
    internal enum Broadcast { Same, Row, Scalar }

    internal static Broadcast BroadcastOf(string op, Tensor a, Tensor b)
    {
        if (ShapeOf.Same(a.Shape, b.Shape)) return Broadcast.Same;
        if (b.Length == 1) return Broadcast.Scalar;
        if (b.Rank == 1 && a.Rank >= 1 && b.Shape[0] == a.Shape[^1]) return Broadcast.Row;
        throw new ArgumentException($"{op}: cannot broadcast {ShapeOf.Format(b.Shape)} onto {ShapeOf.Format(a.Shape)} " +
                                    "(right operand must match, be a vector of the last dimension, or a single value)");
    }

    /// <summary>a + b.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var kind = BroadcastOf(nameof(Add), a, b);
        var y = Tensor.Empty(a.Shape);
        switch (kind)
        {
            case Broadcast.Same: TensorPrimitives.Add(a.Data, b.Data, y.Data); break;
            case Broadcast.Scalar: TensorPrimitives.Add(a.Data, b.Data[0], y.Data); break;
            default:
                int cols = b.Length;
                for (int r = 0; r < a.Length / Math.Max(1, cols); r++)
                    TensorPrimitives.Add(a.Data.Slice(r * cols, cols), b.Data, y.Data.Slice(r * cols, cols));
                break;
        }
        return y.Attach(() =>
        {
            if (a.RequiresGrad) TensorPrimitives.Add(a.Grad, y.Grad, a.Grad);
            if (b.RequiresGrad) AccumulateBroadcastGrad(kind, y.Grad, b.Grad, 1f);
        }, a, b);
    }

    /// <summary>a - b.</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var kind = BroadcastOf(nameof(Sub), a, b);
        var y = Tensor.Empty(a.Shape);
        switch (kind)
        {
            case Broadcast.Same: TensorPrimitives.Subtract(a.Data, b.Data, y.Data); break;
            case Broadcast.Scalar: TensorPrimitives.Subtract(a.Data, b.Data[0], y.Data); break;
            default:
                int cols = b.Length;
                for (int r = 0; r < a.Length / Math.Max(1, cols); r++)
                    TensorPrimitives.Subtract(a.Data.Slice(r * cols, cols), b.Data, y.Data.Slice(r * cols, cols));
                break;
        }
        return y.Attach(() =>
        {
            if (a.RequiresGrad) TensorPrimitives.Add(a.Grad, y.Grad, a.Grad);
            if (b.RequiresGrad) AccumulateBroadcastGrad(kind, y.Grad, b.Grad, -1f);
        }, a, b);
    }

    /// <summary>Adds scale·dy into the gradient of a broadcast right operand (summing over the broadcast axes).</summary>
    internal static void AccumulateBroadcastGrad(Broadcast kind, ReadOnlySpan<float> dy, Span<float> db, float scale)
    {
        switch (kind)
        {
            case Broadcast.Same:
                TensorPrimitives.MultiplyAdd(dy, scale, db, db);
                break;
            case Broadcast.Scalar:
                db[0] += scale * TensorPrimitives.Sum(dy);
                break;
            default:
                int cols = db.Length;
                for (int r = 0; r < dy.Length / Math.Max(1, cols); r++)
                    TensorPrimitives.MultiplyAdd(dy.Slice(r * cols, cols), scale, db, db);
                break;
        }
    }
}
