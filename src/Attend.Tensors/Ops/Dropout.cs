using System.Numerics.Tensors;

namespace Attend.Tensors;

/// <summary>Inverted dropout.</summary>
public static partial class Ops
{
    /// <summary>
    /// Zeroes each element with probability <paramref name="p"/> and scales the kept ones by 1/(1 − p),
    /// so the expectation is unchanged and inference needs no rescaling. The mask comes from
    /// <paramref name="rng"/> (one draw per element, in row-major order), so a seed reproduces it.
    /// Returns <paramref name="x"/> itself when not training or p = 0.
    /// </summary>
    public static Tensor Dropout(Tensor x, float p, Rng rng, bool training)
    {
        if (p is < 0f or > 1f || float.IsNaN(p))
            throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: probability must be in [0, 1]");
        if (!training || p == 0f) return x;
        // The mask holds 0 or 1/(1 − p), so forward and backward are each one multiply.
        var mask = Tensor.Empty(x.Shape);
        var m = mask.Data;
        float keep = p == 1f ? 0f : 1f / (1f - p);
        for (int i = 0; i < m.Length; i++) m[i] = rng.NextFloat() < p ? 0f : keep;
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Multiply(x.Data, m, y.Data);
        return y.Attach(() => TensorPrimitives.MultiplyAdd(y.Grad, mask.Data, x.Grad, x.Grad), x).Saving(mask);
    }
}
