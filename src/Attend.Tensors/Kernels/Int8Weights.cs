using System.Runtime.CompilerServices;

namespace Attend.Tensors.Kernels;

/// <summary>
/// A weight W [N, K] (the x·Wᵀ layout of a Linear's weight) stored as int8 with one fp32 scale per output row:
/// symmetric, scale[n] = max_k |W[n, k]| / 127, q[n, k] = round(W[n, k] / scale[n]) in [-127, 127], so
/// W[n, k] ≈ scale[n]·q[n, k] within scale[n]/2. The integers are packed once into the layout every
/// <see cref="Int8Gemm"/> kernel reads: panels of <see cref="PanelWidth"/> rows of W, one after another; within
/// a panel, K in groups of 4 (padded with zeros to <see cref="KPadded"/>), each group 64 bytes: row j of the
/// panel at bytes 4j..4j+3. A group is one 512-bit vector (vpmaddubsw) or two 256-bit ones (vpdpbusd), and
/// the panels are read front to back, which the hardware prefetcher follows. Immutable once built: any number of
/// threads may multiply by it at once.
/// </summary>
internal sealed unsafe class Int8Weights
{
    /// <summary>Rows of W (columns of the product) per panel.</summary>
    public const int PanelWidth = 16;

    /// <summary>Largest K: |Σ_k u·q| stays below 2³¹ for u ≤ 255, |q| ≤ 127.</summary>
    public const int MaxK = 65536;

    private readonly sbyte[] _buffer; // pinned (never moves), 64-byte aligned from _offset
    private readonly int _offset;

    /// <summary>Output rows of W (columns of the product).</summary>
    public int N { get; }

    /// <summary>Input columns of W.</summary>
    public int K { get; }

    /// <summary>K rounded up to a multiple of 4 (one group of a dot-product instruction).</summary>
    public int KPadded { get; }

    /// <summary>Panels of <see cref="PanelWidth"/> rows; the last one is padded with zero rows.</summary>
    public int Panels { get; }

    /// <summary>scale[n] [Panels·16] (zero past N): W[n, k] ≈ Scales[n]·q[n, k].</summary>
    internal float[] Scales { get; }

    /// <summary>Σ_k q[n, k] [Panels·16] (zero past N): what a zero point z adds to a product, z·Sums[n].</summary>
    internal int[] Sums { get; }

    /// <summary>Bytes of the packed integers (the weight's size in memory, without the scales).</summary>
    public long PackedBytes => (long)Panels * PanelBytes;

    /// <summary>Bytes between the starts of two panels.</summary>
    internal int PanelBytes => KPadded * PanelWidth;

    private Int8Weights(int n, int k)
    {
        if (n <= 0 || k <= 0) throw new ArgumentException($"Int8Weights: empty weight [{n}, {k}]");
        if (k > MaxK) throw new ArgumentException($"Int8Weights: k = {k} exceeds {MaxK} (the int32 sums could overflow)");
        N = n;
        K = k;
        KPadded = (k + 3) & ~3;
        Panels = (n + PanelWidth - 1) / PanelWidth;
        long length = (long)Panels * PanelBytes;
        if (length > Array.MaxLength - 64) throw new ArgumentException($"Int8Weights: weight [{n}, {k}] is too large");
        _buffer = GC.AllocateArray<sbyte>((int)length + 64, pinned: true); // zeroed: the padding stays 0
        nint p = (nint)Unsafe.AsPointer(ref _buffer[0]);
        _offset = (int)(((p + 63) & ~(nint)63) - p);
        Scales = new float[Panels * PanelWidth];
        Sums = new int[Panels * PanelWidth];
    }

    /// <summary>The first panel's start.</summary>
    internal sbyte* Data => (sbyte*)Unsafe.AsPointer(ref _buffer[_offset]);

    /// <summary>Quantizes <paramref name="weight"/> [n, k] (row-major fp32) row by row and packs it.</summary>
    public static Int8Weights Quantize(ReadOnlySpan<float> weight, int n, int k)
    {
        if (weight.Length < (long)n * k) throw new ArgumentException($"Int8Weights: weight has {weight.Length} elements, needs {n}*{k}");
        var w = new Int8Weights(n, k);
        var row = new sbyte[k];
        for (int r = 0; r < n; r++)
        {
            float scale = Int8Quantize.Row(weight.Slice(r * k, k), Int8Quantize.WeightLevels, row);
            if (float.IsNaN(scale)) throw new ArgumentException($"Int8Weights: row {r} holds a NaN or an infinity");
            w.SetRow(r, row, scale);
        }
        return w;
    }

    /// <summary>
    /// Packs integers quantized beforehand (a checkpoint's): <paramref name="quantized"/> [n, k] in
    /// [-127, 127] and <paramref name="scales"/> [n], W[r, c] ≈ scales[r]·quantized[r, c].
    /// </summary>
    public static Int8Weights FromQuantized(ReadOnlySpan<sbyte> quantized, ReadOnlySpan<float> scales, int n, int k)
    {
        if (quantized.Length != (long)n * k) throw new ArgumentException($"Int8Weights: {quantized.Length} integers, needs {n}*{k}");
        if (scales.Length != n) throw new ArgumentException($"Int8Weights: {scales.Length} scales, needs n = {n}");
        var w = new Int8Weights(n, k);
        for (int r = 0; r < n; r++)
        {
            var row = quantized.Slice(r * k, k);
            if (row.Contains(sbyte.MinValue)) throw new ArgumentException($"Int8Weights: row {r} holds -128 (the range is [-127, 127])");
            if (!float.IsFinite(scales[r]) || scales[r] < 0) throw new ArgumentException($"Int8Weights: scale {r} is {scales[r]} (needs a finite value ≥ 0)");
            w.SetRow(r, row, scales[r]);
        }
        return w;
    }

    /// <summary>Unpacks the integers into <paramref name="quantized"/> [N, K] and the scales into <paramref name="scales"/> [N].</summary>
    public void CopyTo(Span<sbyte> quantized, Span<float> scales)
    {
        if (quantized.Length < (long)N * K || scales.Length < N) throw new ArgumentException($"Int8Weights: destination too small for [{N}, {K}]");
        sbyte* data = Data;
        for (int r = 0; r < N; r++)
        {
            sbyte* panel = data + (nint)(r / PanelWidth) * PanelBytes + 4 * (r % PanelWidth);
            for (int c = 0; c < K; c++) quantized[r * K + c] = panel[(c >> 2) * 64 + (c & 3)];
            scales[r] = Scales[r];
        }
    }

    /// <summary>W ≈ scale·q [N, K] back in fp32 (what the int8 product multiplies by).</summary>
    public float[] Dequantize()
    {
        var q = new sbyte[N * K];
        var s = new float[N];
        CopyTo(q, s);
        var w = new float[N * K];
        for (int i = 0; i < w.Length; i++) w[i] = s[i / K] * q[i];
        return w;
    }

    private void SetRow(int r, ReadOnlySpan<sbyte> row, float scale)
    {
        sbyte* panel = Data + (nint)(r / PanelWidth) * PanelBytes + 4 * (r % PanelWidth);
        int sum = 0;
        for (int c = 0; c < K; c++)
        {
            panel[(c >> 2) * 64 + (c & 3)] = row[c];
            sum += row[c];
        }
        Scales[r] = scale;
        Sums[r] = sum;
    }
}
