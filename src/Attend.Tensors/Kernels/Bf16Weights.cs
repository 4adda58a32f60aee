namespace Attend.Tensors.Kernels;

/// <summary>
/// A weight W [N, K] (the x·Wᵀ layout of a Linear's weight) stored as bfloat16: the upper 16 bits of each fp32,
/// rounded to nearest even, so |W − bf16(W)| ≤ 2⁻⁸·|W| (8 significant bits instead of 24, the same exponent
/// range). Half of fp32's bytes; <see cref="Bf16Gemm"/> widens it back to fp32 in registers (.NET has no bf16
/// arithmetic), which pays where a product is bound by reading the weights: one or two rows. Immutable once built.
/// </summary>
internal sealed class Bf16Weights
{
    /// <summary>Output rows of W (columns of the product).</summary>
    public int N { get; }

    /// <summary>Input columns of W.</summary>
    public int K { get; }

    /// <summary>The bf16 bits [N, K], row-major.</summary>
    internal ushort[] Bits { get; }

    private Bf16Weights(int n, int k, ushort[] bits)
    {
        N = n;
        K = k;
        Bits = bits;
    }

    /// <summary>Rounds <paramref name="weight"/> [n, k] (row-major fp32) to bf16.</summary>
    public static Bf16Weights FromFloat(ReadOnlySpan<float> weight, int n, int k)
    {
        if (n <= 0 || k <= 0) throw new ArgumentException($"Bf16Weights: empty weight [{n}, {k}]");
        if (weight.Length < (long)n * k) throw new ArgumentException($"Bf16Weights: weight has {weight.Length} elements, needs {n}*{k}");
        var bits = new ushort[n * k];
        for (int i = 0; i < bits.Length; i++) bits[i] = Round(weight[i]);
        return new Bf16Weights(n, k, bits);
    }

    /// <summary>Wraps bf16 bits stored beforehand (a checkpoint's), [n, k] row-major.</summary>
    public static Bf16Weights FromBits(ReadOnlySpan<ushort> bits, int n, int k)
    {
        if (n <= 0 || k <= 0 || bits.Length != (long)n * k) throw new ArgumentException($"Bf16Weights: {bits.Length} values for [{n}, {k}]");
        return new Bf16Weights(n, k, bits.ToArray());
    }

    /// <summary>The fp32 value of bf16 bits.</summary>
    public static float Widen(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>fp32 to bf16 bits, rounded to nearest even; a NaN stays a (quiet) NaN.</summary>
    public static ushort Round(float x)
    {
        uint u = BitConverter.SingleToUInt32Bits(x);
        if (float.IsNaN(x)) return (ushort)((u >> 16) | 0x40);
        u += 0x7FFF + ((u >> 16) & 1);
        return (ushort)(u >> 16);
    }

    /// <summary>W back in fp32 [N, K] (what the product multiplies by).</summary>
    public float[] Widen()
    {
        var w = new float[Bits.Length];
        for (int i = 0; i < w.Length; i++) w[i] = Widen(Bits[i]);
        return w;
    }
}
