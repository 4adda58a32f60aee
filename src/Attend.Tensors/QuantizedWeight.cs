using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>
/// A weight matrix W [N, K] (a Linear's layout) stored in a lower <see cref="Tensors.Precision"/> for inference:
/// int8 (<see cref="Int8Weights"/>, one scale per output row) or bf16 (<see cref="Bf16Weights"/>). A tensor holding
/// one (<see cref="Tensor.Quantized"/>) has its fp32 values set to exactly what this holds, so an op that reads the
/// values (an embedding lookup, attention's score vector) sees the same weights as the products. Immutable: any number
/// of threads may multiply by it at once.
/// </summary>
internal sealed class QuantizedWeight
{
    /// <summary>Up to this many rows bf16 runs its own kernel; more rows take the fp32 GEMM on the widened values.</summary>
    public const int Bf16MaxRows = 2;

    private readonly Int8Weights? _int8;
    private readonly Bf16Weights? _bf16;
    private readonly ConcurrentDictionary<(int Start, int Count), QuantizedWeight> _columns = new();

    public Precision Precision { get; }

    /// <summary>Output rows of W.</summary>
    public int N { get; }

    /// <summary>Input columns of W.</summary>
    public int K { get; }

    private QuantizedWeight(Int8Weights? int8, Bf16Weights? bf16)
    {
        (_int8, _bf16) = (int8, bf16);
        Precision = int8 is not null ? Precision.Int8 : Precision.Bf16;
        N = int8?.N ?? bf16!.N;
        K = int8?.K ?? bf16!.K;
    }

    /// <summary>Rounds fp32 <paramref name="weight"/> [n, k] to <paramref name="precision"/> (Int8 or Bf16).</summary>
    public static QuantizedWeight Create(ReadOnlySpan<float> weight, int n, int k, Precision precision) => precision switch
    {
        Precision.Int8 => new(Int8Weights.Quantize(weight, n, k), null),
        Precision.Bf16 => new(null, Bf16Weights.FromFloat(weight, n, k)),
        _ => throw new ArgumentException($"QuantizedWeight: {precision} is not a quantized precision"),
    };

    /// <summary>int8 integers [n, k] in [-127, 127] and their row scales [n] (a checkpoint's).</summary>
    public static QuantizedWeight FromInt8(ReadOnlySpan<sbyte> quantized, ReadOnlySpan<float> scales, int n, int k) =>
        new(Int8Weights.FromQuantized(quantized, scales, n, k), null);

    /// <summary>bf16 bits [n, k] (a checkpoint's).</summary>
    public static QuantizedWeight FromBf16(ReadOnlySpan<ushort> bits, int n, int k) => new(null, Bf16Weights.FromBits(bits, n, k));

    /// <summary>W as fp32 [N, K]: what the products multiply by.</summary>
    public float[] Dequantize() => _int8?.Dequantize() ?? _bf16!.Widen();

    /// <summary>The int8 integers [N, K] and row scales [N] (for a checkpoint); null for bf16.</summary>
    public (sbyte[] Quantized, float[] Scales)? Int8Values()
    {
        if (_int8 is null) return null;
        var q = new sbyte[N * K];
        var s = new float[N];
        _int8.CopyTo(q, s);
        return (q, s);
    }

    /// <summary>The bf16 bits [N, K] (for a checkpoint); null for int8.</summary>
    public ushort[]? Bf16Bits => _bf16?.Bits;

    /// <summary>
    /// Whether a product of <paramref name="rows"/> rows runs here: always for int8; for bf16 only up to
    /// <see cref="Bf16MaxRows"/>, where reading the weights decides the time (beyond, widening costs more than the
    /// bytes save, and the fp32 GEMM on the widened values gives the same products).
    /// </summary>
    public bool Runs(int rows) => _int8 is not null || rows <= Bf16MaxRows;

    /// <summary>y [rows, N] = x [rows, K]·Wᵀ + bias (bias [N] or empty); with <paramref name="accumulate"/>, added to y.</summary>
    public void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, int rows, bool accumulate = false)
    {
        if (!accumulate)
        {
            Product(x, bias, y, rows);
            return;
        }
        var t = ArrayPool<float>.Shared.Rent(rows * N);
        try
        {
            var product = t.AsSpan(0, rows * N);
            Product(x, bias, product, rows);
            TensorPrimitives.Add(y[..(rows * N)], product, y);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(t);
        }
    }

    private void Product(ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, int rows)
    {
        if (_int8 is not null) Int8Gemm.Multiply(x, _int8, bias, y, rows);
        else Bf16Gemm.Multiply(x, _bf16!, bias, y, rows);
    }

    /// <summary>
    /// Columns start..start+count of W [N, count], with the same integers and row scales (int8) or bits (bf16): the
    /// decoder splits its first layer's W_ih into the embedding's and the context's columns. Made once per range.
    /// </summary>
    public QuantizedWeight Columns(int start, int count)
    {
        if (start < 0 || count <= 0 || start + count > K)
            throw new ArgumentOutOfRangeException(nameof(start), $"QuantizedWeight: columns [{start}, {start + count}) outside [0, {K})");
        if (start == 0 && count == K) return this;
        return _columns.GetOrAdd((start, count), key => Slice(key.Start, key.Count));
    }

    private QuantizedWeight Slice(int start, int count)
    {
        if (Int8Values() is var (q, s))
        {
            var part = new sbyte[N * count];
            for (int r = 0; r < N; r++) q.AsSpan(r * K + start, count).CopyTo(part.AsSpan(r * count, count));
            return FromInt8(part, s, N, count);
        }
        var bits = new ushort[N * count];
        for (int r = 0; r < N; r++) _bf16!.Bits.AsSpan(r * K + start, count).CopyTo(bits.AsSpan(r * count, count));
        return FromBf16(bits, N, count);
    }
}
