using System.Numerics.Tensors;
using Attend.Tensors.Kernels;

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
            if (a.RequiresGrad) a.AccumulateGrad(y.Grad);
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
            if (a.RequiresGrad) a.AccumulateGrad(y.Grad);
            if (b.RequiresGrad) AccumulateBroadcastGrad(kind, y.Grad, b.Grad, -1f);
        }, a, b);
    }

    /// <summary>a ⊙ b (element-wise product).</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var kind = BroadcastOf(nameof(Mul), a, b);
        var y = Tensor.Empty(a.Shape);
        int cols = Math.Max(1, b.Length), rows = a.Length / cols;
        switch (kind)
        {
            case Broadcast.Same: TensorPrimitives.Multiply(a.Data, b.Data, y.Data); break;
            case Broadcast.Scalar: TensorPrimitives.Multiply(a.Data, b.Data[0], y.Data); break;
            default:
                for (int r = 0; r < rows; r++)
                    TensorPrimitives.Multiply(a.Data.Slice(r * cols, cols), b.Data, y.Data.Slice(r * cols, cols));
                break;
        }
        return y.Attach(() =>
        {
            var dy = y.Grad;
            if (a.RequiresGrad)
            {
                var da = a.Grad;
                switch (kind)
                {
                    case Broadcast.Same: TensorPrimitives.MultiplyAdd(dy, b.Data, da, da); break;
                    case Broadcast.Scalar: TensorPrimitives.MultiplyAdd(dy, b.Data[0], da, da); break;
                    default:
                        for (int r = 0; r < rows; r++)
                        {
                            var dar = da.Slice(r * cols, cols);
                            TensorPrimitives.MultiplyAdd(dy.Slice(r * cols, cols), b.Data, dar, dar);
                        }
                        break;
                }
            }
            if (b.RequiresGrad)
            {
                var db = b.Grad;
                switch (kind)
                {
                    case Broadcast.Same: TensorPrimitives.MultiplyAdd(dy, a.Data, db, db); break;
                    case Broadcast.Scalar: db[0] += TensorPrimitives.Dot(dy, a.Data); break;
                    default:
                        for (int r = 0; r < rows; r++)
                            TensorPrimitives.MultiplyAdd(dy.Slice(r * cols, cols), a.Data.Slice(r * cols, cols), db, db);
                        break;
                }
            }
        }, a, b);
    }

    /// <summary>a / b (element-wise quotient).</summary>
    public static Tensor Div(Tensor a, Tensor b)
    {
        var kind = BroadcastOf(nameof(Div), a, b);
        var y = Tensor.Empty(a.Shape);
        int cols = Math.Max(1, b.Length), rows = a.Length / cols;
        switch (kind)
        {
            case Broadcast.Same: TensorPrimitives.Divide(a.Data, b.Data, y.Data); break;
            case Broadcast.Scalar: TensorPrimitives.Divide(a.Data, b.Data[0], y.Data); break;
            default:
                for (int r = 0; r < rows; r++)
                    TensorPrimitives.Divide(a.Data.Slice(r * cols, cols), b.Data, y.Data.Slice(r * cols, cols));
                break;
        }
        return y.Attach(() =>
        {
            var dy = y.Grad;
            // ∂y/∂a = 1/b, ∂y/∂b = −a/b² = −y/b.
            if (a.RequiresGrad)
            {
                var da = a.Grad;
                switch (kind)
                {
                    case Broadcast.Same: Elementwise.Accumulate(dy, b.Data, da, new DivideGrad()); break;
                    case Broadcast.Scalar: TensorPrimitives.MultiplyAdd(dy, 1f / b.Data[0], da, da); break;
                    default:
                        for (int r = 0; r < rows; r++)
                            Elementwise.Accumulate(dy.Slice(r * cols, cols), b.Data, da.Slice(r * cols, cols), new DivideGrad());
                        break;
                }
            }
            if (b.RequiresGrad)
            {
                var db = b.Grad;
                switch (kind)
                {
                    case Broadcast.Same: Elementwise.Accumulate(dy, y.Data, b.Data, db, new DivideGradRight()); break;
                    case Broadcast.Scalar: db[0] -= TensorPrimitives.Dot(dy, y.Data) / b.Data[0]; break;
                    default:
                        for (int r = 0; r < rows; r++)
                            Elementwise.Accumulate(dy.Slice(r * cols, cols), y.Data.Slice(r * cols, cols), b.Data, db, new DivideGradRight());
                        break;
                }
            }
        }, a, b);
    }

    /// <summary>s·x for a constant s.</summary>
    public static Tensor Scale(Tensor x, float s)
    {
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Multiply(x.Data, s, y.Data);
        return y.Attach(() => TensorPrimitives.MultiplyAdd(y.Grad, s, x.Grad, x.Grad), x);
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
