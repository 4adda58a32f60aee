using System.Numerics.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>
/// Unary element-wise functions of any shape. Forward runs FloatMath (exp, σ, tanh) or TensorPrimitives; backward uses the
/// output where the derivative is cheapest from it (tanh, σ, exp, ReLU) and the input for log.
/// </summary>
public static partial class Ops
{
    /// <summary>tanh(x).</summary>
    public static Tensor Tanh(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        Elementwise.Map(x.Data, y.Data, new TanhOp());
        return y.Attach(() => Elementwise.Accumulate(y.Data, y.Grad, x.Grad, new TanhGrad()), x);
    }

    /// <summary>σ(x) = 1 / (1 + e^−x).</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        Elementwise.Map(x.Data, y.Data, new SigmoidOp());
        return y.Attach(() => Elementwise.Accumulate(y.Data, y.Grad, x.Grad, new SigmoidGrad()), x);
    }

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Max(x.Data, 0f, y.Data);
        return y.Attach(() => Elementwise.Accumulate(y.Data, y.Grad, x.Grad, new ReluGrad()), x);
    }

    /// <summary>eˣ.</summary>
    public static Tensor Exp(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        Elementwise.Map(x.Data, y.Data, new ExpOp());
        return y.Attach(() => TensorPrimitives.MultiplyAdd(y.Grad, y.Data, x.Grad, x.Grad), x);
    }

    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Log(x.Data, y.Data);
        return y.Attach(() => Elementwise.Accumulate(y.Grad, x.Data, x.Grad, new DivideGrad()), x);
    }
}
