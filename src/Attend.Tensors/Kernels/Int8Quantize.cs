using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Tensors.Kernels;

/// <summary>
/// Symmetric per-row quantization: a row x [k] becomes q = round(x·L / max|x|) in [-L, L] with the scale
/// max|x| / L, so x ≈ scale·q within scale/2 (round half to even, as <see cref="MathF.Round(float)"/>).
/// Weights use L = 127. Activations are quantized at run time, row by row, straight into the unsigned bytes
/// the kernels read: u = q + z with the zero point z = L + 1, because vpdpbusd and vpmaddubsw multiply an
/// unsigned byte by a signed one; the kernel subtracts z·Σ_k q_w afterwards. Their L depends on the kernel
/// (<see cref="ActivationLevels"/>): 127 (u in [1, 255]) for vpdpbusd, which sums four products into int32
/// without saturating; 63 (u in [1, 127]) for vpmaddubsw, whose pair sums saturate at int16: 2·127·127 =
/// 32258 fits, 2·255·127 would not. Seven-bit activations double the activation step, the price of
/// exactness on CPUs without VNNI (PyTorch's reduce_range makes the same choice).
/// </summary>
internal static class Int8Quantize
{
    /// <summary>Levels on each side of zero for weights: q in [-127, 127].</summary>
    public const int WeightLevels = 127;

    /// <summary>Levels on each side of zero for the activations a kernel reads (zero point = levels + 1).</summary>
    public static int ActivationLevels(Int8Kernel kernel) => kernel is Int8Kernel.Avx2 or Int8Kernel.Avx512BW ? 63 : 127;

    /// <summary>
    /// Quantizes <paramref name="x"/> into <paramref name="q"/> in [-levels, levels]; returns the scale, or NaN (and
    /// leaves q alone) when the row holds a NaN or an infinity.
    /// </summary>
    public static float Row(ReadOnlySpan<float> x, int levels, Span<sbyte> q)
    {
        float max = x.IsEmpty ? 0 : MathF.Abs(TensorPrimitives.MaxMagnitude(x));
        if (!float.IsFinite(max)) return float.NaN;
        float inv = max > 0 ? levels / max : 0;
        for (int i = 0; i < x.Length; i++) q[i] = (sbyte)Level(x[i] * inv, levels);
        return max / levels;
    }

    /// <summary>
    /// Rows x [m, k] (row stride k) into unsigned bytes u [m, kPadded] = q + levels + 1 (the padding gets the zero
    /// point, i.e. q = 0) and their scales [m]. A row of zeros gets scale 0. Not finite values give garbage
    /// (a NaN would already poison the fp32 product; the check costs a pass).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Activations(float* x, int m, int k, int kPadded, int levels, byte* u, float* scales)
    {
        int zero = levels + 1;
        for (int r = 0; r < m; r++)
        {
            var row = new ReadOnlySpan<float>(x + (nint)r * k, k);
            float max = MathF.Abs(TensorPrimitives.MaxMagnitude(row));
            float inv = max > 0 ? levels / max : 0;
            scales[r] = max / levels;
            float* xr = x + (nint)r * k;
            byte* ur = u + (nint)r * kPadded;
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var vinv = Vector256.Create(inv);
                var lo = Vector256.Create(-levels);
                var hi = Vector256.Create(levels);
                var z = Vector256.Create(zero);
                for (; i + 32 <= k; i += 32)
                {
                    var a = Quantize(Vector256.Load(xr + i), vinv, lo, hi, z);
                    var b = Quantize(Vector256.Load(xr + i + 8), vinv, lo, hi, z);
                    var c = Quantize(Vector256.Load(xr + i + 16), vinv, lo, hi, z);
                    var d = Quantize(Vector256.Load(xr + i + 24), vinv, lo, hi, z);
                    var ab = Vector256.Narrow(a.AsUInt32(), b.AsUInt32());
                    var cd = Vector256.Narrow(c.AsUInt32(), d.AsUInt32());
                    Vector256.Narrow(ab, cd).Store(ur + i);
                }
            }
            for (; i < k; i++) ur[i] = (byte)(Level(xr[i] * inv, levels) + zero);
            for (; i < kPadded; i++) ur[i] = (byte)zero;
        }
    }

    // round(y) clamped to [-levels, levels]; a NaN (an infinity times a zero scale) becomes 0, as the vector
    // conversion makes it, so the tail and the body agree.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Level(float y, int levels)
    {
        float r = MathF.Round(y);
        return float.IsNaN(r) ? 0 : (int)Math.Clamp(r, -levels, levels);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quantize(Vector256<float> x, Vector256<float> inv, Vector256<int> lo, Vector256<int> hi, Vector256<int> zero)
    {
        var q = Vector256.ConvertToInt32(Vector256.Round(x * inv)); // integral already: the conversion is exact
        return Vector256.Min(Vector256.Max(q, lo), hi) + zero;
    }
}
