namespace Attend.Tensors;

/// <summary>
/// How a model's weight matrices are stored and multiplied at inference. Activations, attention, softmax, gates and
/// recurrent state stay fp32 in every precision; only the products by the weights change (docs/quantization.md).
/// </summary>
public enum Precision
{
    /// <summary>32-bit floats: what training writes, and the reference the others are measured against.</summary>
    Fp32,
    /// <summary>
    /// 8-bit integers with one fp32 scale per output row (a quarter of fp32's bytes); each product quantizes its
    /// activations per row at run time and sums in int32.
    /// </summary>
    Int8,
    /// <summary>bfloat16 (half of fp32's bytes), widened to fp32 in the kernel: the products stay fp32 arithmetic.</summary>
    Bf16,
}
