using System.Runtime.Intrinsics;

namespace Attend.Tensors.Kernels;

// The element-wise operators TensorPrimitives does not have: mostly the backward halves of the ops.
// Each runs through Elementwise's driver; ElementwiseTests compares every one of them, at every width,
// with a naive double-precision formula at every length 0..257.

/// <summary>(y, dy) → dy·(1 − y²): tanh′ from the output.</summary>
internal readonly struct TanhGrad : IBinaryOperator
{
    public float Invoke(float y, float dy) => dy * (1f - y * y);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * (Vector256<float>.One - y * y);
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * (Vector512<float>.One - y * y);
}

/// <summary>(y, dy) → dy·y·(1 − y): σ′ from the output.</summary>
internal readonly struct SigmoidGrad : IBinaryOperator
{
    public float Invoke(float y, float dy) => dy * y * (1f - y);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * y * (Vector256<float>.One - y);
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * y * (Vector512<float>.One - y);
}

/// <summary>(y, dy) → dy where y &gt; 0, else 0 (the kink gets 0, as in PyTorch).</summary>
internal readonly struct ReluGrad : IBinaryOperator
{
    public float Invoke(float y, float dy) => y > 0f ? dy : 0f;
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => Vector256.GreaterThan(y, Vector256<float>.Zero) & dy;
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => Vector512.GreaterThan(y, Vector512<float>.Zero) & dy;
}

/// <summary>(dy, b) → dy / b: the gradient of a/b with respect to a, and of log x (b = x).</summary>
internal readonly struct DivideGrad : IBinaryOperator
{
    public float Invoke(float dy, float b) => dy / b;
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> b) => dy / b;
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> b) => dy / b;
}

/// <summary>(dy, y, b) → −dy·y / b: the gradient of y = a/b with respect to b.</summary>
internal readonly struct DivideGradRight : ITernaryOperator
{
    public float Invoke(float dy, float y, float b) => -(dy * y) / b;
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> y, Vector256<float> b) => -(dy * y) / b;
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> y, Vector512<float> b) => -(dy * y) / b;
}

/// <summary>(y, dy) → y·(dy − Σ y·dy): the softmax Jacobian applied to dy, given the row's dot.</summary>
internal readonly struct SoftmaxGrad(float dot) : IBinaryOperator
{
    private readonly float _dot = dot;
    public float Invoke(float y, float dy) => y * (dy - _dot);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => y * (dy - Vector256.Create(_dot));
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => y * (dy - Vector512.Create(_dot));
}

/// <summary>(y, dy, mask) → y·(dy − dot) where mask ≠ 0, else exactly 0 (even if dy is not finite).</summary>
internal readonly struct MaskedSoftmaxGrad(float dot) : ITernaryOperator
{
    private readonly float _dot = dot;
    public float Invoke(float y, float dy, float mask) => mask != 0f ? y * (dy - _dot) : 0f;
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> mask) =>
        ~Vector256.Equals(mask, Vector256<float>.Zero) & (y * (dy - Vector256.Create(_dot)));
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> mask) =>
        ~Vector512.Equals(mask, Vector512<float>.Zero) & (y * (dy - Vector512.Create(_dot)));
}

/// <summary>(y, dy) → dy − exp(y)·Σdy: log-softmax's backward from its output y = log p.</summary>
internal readonly struct LogSoftmaxGrad(float sumDy) : IBinaryOperator
{
    private readonly float _sum = sumDy;
    public float Invoke(float y, float dy) => dy - FloatMath.Exp(y) * _sum;
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy - FloatMath.Exp(y) * Vector256.Create(_sum);
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy - FloatMath.Exp(y) * Vector512.Create(_sum);
}

/// <summary>x → exp(x − shift): summed for a max-shifted log-sum-exp without a temporary row.</summary>
internal readonly struct ExpShift(float shift) : IUnaryOperator
{
    private readonly float _shift = shift;
    public float Invoke(float x) => FloatMath.Exp(x - _shift);
    public Vector256<float> Invoke(Vector256<float> x) => FloatMath.Exp(x - Vector256.Create(_shift));
    public Vector512<float> Invoke(Vector512<float> x) => FloatMath.Exp(x - Vector512.Create(_shift));
}

/// <summary>(x, mask) → x where mask ≠ 0, else −∞: the input to a masked row maximum.</summary>
internal readonly struct MaskedFill : IBinaryOperator
{
    public float Invoke(float x, float mask) => mask != 0f ? x : float.NegativeInfinity;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> mask) =>
        Vector256.ConditionalSelect(Vector256.Equals(mask, Vector256<float>.Zero), Vector256.Create(float.NegativeInfinity), x);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> mask) =>
        Vector512.ConditionalSelect(Vector512.Equals(mask, Vector512<float>.Zero), Vector512.Create(float.NegativeInfinity), x);
}

/// <summary>(x, mask) → exp(x − shift) where mask ≠ 0, else exactly 0 (never exp of a masked score).</summary>
internal readonly struct MaskedExpShift(float shift) : IBinaryOperator
{
    private readonly float _shift = shift;
    public float Invoke(float x, float mask) => mask != 0f ? FloatMath.Exp(x - _shift) : 0f;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> mask) =>
        ~Vector256.Equals(mask, Vector256<float>.Zero) & FloatMath.Exp(x - Vector256.Create(_shift));
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> mask) =>
        ~Vector512.Equals(mask, Vector512<float>.Zero) & FloatMath.Exp(x - Vector512.Create(_shift));
}

/// <summary>
/// x → scale·exp(x − lse) − offset: one row of the fused cross-entropy backward, scale·(p − ε/V),
/// before the target's −scale·(1 − ε) is added.
/// </summary>
internal readonly struct CrossEntropyGrad(float lse, float scale, float offset) : IUnaryOperator
{
    private readonly float _lse = lse, _scale = scale, _offset = offset;
    public float Invoke(float x) => _scale * FloatMath.Exp(x - _lse) - _offset;
    public Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.Create(_scale) * FloatMath.Exp(x - Vector256.Create(_lse)) - Vector256.Create(_offset);
    public Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.Create(_scale) * FloatMath.Exp(x - Vector512.Create(_lse)) - Vector512.Create(_offset);
}
