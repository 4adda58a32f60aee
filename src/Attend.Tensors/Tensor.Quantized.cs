namespace Attend.Tensors;

/// <summary>A weight's quantized copy for inference (<see cref="QuantizedWeight"/>): int8 or bf16 products instead of fp32.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// The weight in a lower precision, or null (fp32). The products by this weight (<see cref="Ops.Linear"/>, the
    /// cells' hidden products, the step projections) run on it; everything else reads <see cref="Data"/>, which holds the same values.
    /// </summary>
    internal QuantizedWeight? Quantized { get; private set; }

    /// <summary>
    /// Makes this rank-2 weight [N, K] use <paramref name="weight"/>: its values become the quantized ones. Loading
    /// a model does this once, before any decoding reads the weight.
    /// </summary>
    internal void UseQuantized(QuantizedWeight weight)
    {
        if (Rank != 2 || Shape[0] != weight.N || Shape[1] != weight.K)
            throw new ArgumentException($"Tensor '{Name}': quantized weight [{weight.N}, {weight.K}] does not match {ShapeOf.Format(Shape)}");
        weight.Dequantize().CopyTo(Data);
        Quantized = weight;
    }

    /// <summary>Takes <paramref name="weight"/> as this tensor's quantized copy when the values already equal it (a slice's).</summary>
    internal void ShareQuantized(QuantizedWeight weight) => Quantized = weight;

    /// <summary>Goes back to fp32 products; the values stay the quantized ones.</summary>
    internal void DropQuantized() => Quantized = null;
}
