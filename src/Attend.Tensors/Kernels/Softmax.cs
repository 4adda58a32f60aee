using System.Numerics.Tensors;

namespace Attend.Tensors.Kernels;

/// <summary>
/// Row kernels behind Softmax, MaskedSoftmax, LogSoftmax and CrossEntropy: one row of the last
/// dimension each, inputs first, destination last; every backward accumulates into its destination.
/// Every forward shifts by the row maximum (TensorPrimitives.SoftMax does not, and exp(89) overflows).
/// <see cref="SoftmaxReference"/> holds the naive double-precision versions.
/// </summary>
internal static class SoftmaxRow
{
    /// <summary>y = exp(x − max) / Σ exp(x − max). A row of length 0 is left empty.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length == 0) return;
        Elementwise.Map(x, y, new ExpShift(TensorPrimitives.Max(x)));
        TensorPrimitives.Multiply(y, 1f / TensorPrimitives.Sum(y), y);
    }

    /// <summary>dx += y ⊙ (dy − ⟨y, dy⟩).</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        Elementwise.Accumulate(y, dy, dx, new SoftmaxGrad(TensorPrimitives.Dot(y, dy)));

    /// <summary>Softmax over the positions where mask ≠ 0; exactly 0 elsewhere, and all zeros if nothing is kept.</summary>
    public static void MaskedForward(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> y)
    {
        if (x.Length == 0) return;
        Elementwise.Map(x, mask, y, new MaskedFill());
        float max = TensorPrimitives.Max(y);
        if (float.IsNegativeInfinity(max)) { y.Clear(); return; }
        Elementwise.Map(x, mask, y, new MaskedExpShift(max));
        TensorPrimitives.Multiply(y, 1f / TensorPrimitives.Sum(y), y);
    }

    /// <summary>dx += y ⊙ (dy − ⟨y, dy⟩) where mask ≠ 0; masked positions get exactly nothing.</summary>
    public static void MaskedBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx) =>
        Elementwise.Accumulate(y, dy, mask, dx, new MaskedSoftmaxGrad(TensorPrimitives.Dot(y, dy)));

    /// <summary>y = x − log Σ exp(x).</summary>
    public static void LogForward(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length == 0) return;
        TensorPrimitives.Subtract(x, LogSumExp(x), y);
    }

    /// <summary>dx += dy − exp(y)·Σ dy, from the output y = log p.</summary>
    public static void LogBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        Elementwise.Accumulate(y, dy, dx, new LogSoftmaxGrad(TensorPrimitives.Sum(dy)));

    /// <summary>log Σ exp(x) of a non-empty row, shifted by its maximum.</summary>
    public static float LogSumExp(ReadOnlySpan<float> x)
    {
        float max = TensorPrimitives.Max(x);
        return max + MathF.Log(Elementwise.SumOf(x, new ExpShift(max)));
    }

    /// <summary>
    /// One row of the smoothed cross-entropy, (1 − ε)·(lse − x_t) + ε·(lse − mean x), in double;
    /// <paramref name="lse"/> receives log Σ exp(x) for the backward.
    /// </summary>
    public static double CrossEntropy(ReadOnlySpan<float> x, int target, float smoothing, out float lse)
    {
        lse = LogSumExp(x);
        double nll = (double)lse - x[target];
        if (smoothing == 0f) return nll;
        double smooth = (double)lse - (double)TensorPrimitives.Sum(x) / x.Length;
        return (1 - smoothing) * nll + smoothing * smooth;
    }

    /// <summary>dx += scale·(softmax(x) − q), q = (1 − ε)·onehot(target) + ε/V; lse from the forward.</summary>
    public static void CrossEntropyBackward(ReadOnlySpan<float> x, int target, float smoothing, float lse, float scale, Span<float> dx)
    {
        Elementwise.Accumulate(x, dx, new CrossEntropyGrad(lse, scale, scale * smoothing / x.Length));
        dx[target] -= scale * (1f - smoothing);
    }

    /// <summary>x ← scale·(softmax(x) − q): <see cref="CrossEntropyBackward"/> into a zero gradient, written over the logits.</summary>
    public static void CrossEntropyGradInPlace(Span<float> x, int target, float smoothing, float lse, float scale)
    {
        Elementwise.Map(x, x, new CrossEntropyGrad(lse, scale, scale * smoothing / x.Length));
        x[target] -= scale * (1f - smoothing);
    }
}

/// <summary>Naive double-precision references for <see cref="SoftmaxRow"/>: obvious loops, no shortcuts.</summary>
internal static class SoftmaxReference
{
    public static double[] Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> mask)
    {
        var y = new double[x.Length];
        double max = double.NegativeInfinity, sum = 0;
        for (int i = 0; i < x.Length; i++) if (mask[i] != 0) max = Math.Max(max, x[i]);
        if (double.IsNegativeInfinity(max)) return y;
        for (int i = 0; i < x.Length; i++) if (mask[i] != 0) sum += y[i] = Math.Exp(x[i] - max);
        for (int i = 0; i < x.Length; i++) y[i] /= sum;
        return y;
    }

    /// <summary>The full Jacobian product, dx_i = Σ_j (δ_ij·y_i − y_i·y_j)·dy_j, restricted to kept positions.</summary>
    public static double[] Backward(ReadOnlySpan<double> y, ReadOnlySpan<float> dy, ReadOnlySpan<float> mask)
    {
        var dx = new double[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            if (mask[i] == 0) continue;
            for (int j = 0; j < y.Length; j++) dx[i] += ((i == j ? y[i] : 0) - y[i] * y[j]) * dy[j];
        }
        return dx;
    }

    public static double[] LogForward(ReadOnlySpan<float> x)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (var v in x) max = Math.Max(max, v);
        foreach (var v in x) sum += Math.Exp(v - max);
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = x[i] - max - Math.Log(sum);
        return y;
    }
}
