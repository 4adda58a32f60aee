// Which of a model's weights a lower precision stores, and switching a loaded model to int8 or bf16 weights.
using Attend.Nn;
using Attend.Tensors;

namespace Attend.Model;

/// <summary>
/// A model in int8 or bf16 (docs/quantization.md): every weight matrix a product reads (the embeddings, every
/// Linear, the RNNs' W_ih and W_hh, the bridge, attention's projections, W_c, the output layer) is rounded row by
/// row and multiplied in that precision. Biases, attention's score vector v, softmax, gates and recurrent state stay
/// fp32. Quantizing is for inference: a quantized model translates, it does not train.
/// </summary>
internal static class ModelPrecision
{
    /// <summary>
    /// Whether a parameter is stored in the lower precision: a matrix of more than one row. A one-row matrix is
    /// attention's score vector v, which the attention math reads, not a product.
    /// </summary>
    public static bool IsQuantizable(Tensor parameter) => parameter.Rank == 2 && parameter.Shape[0] > 1 && parameter.Shape[1] > 0;

    /// <summary>The precision of the model's products (fp32 unless its weights were quantized).</summary>
    public static Precision Of(Module model) =>
        model.NamedParameters().Select(p => p.Param).FirstOrDefault(IsQuantizable)?.Quantized?.Precision ?? Precision.Fp32;

    /// <summary>
    /// Rounds every quantizable weight of an fp32 model to <paramref name="precision"/> (fp32: nothing changes).
    /// The model's values become the rounded ones, so a checkpoint saved from it holds exactly what it translates with.
    /// </summary>
    /// <exception cref="InvalidOperationException">the model is already quantized</exception>
    public static void Quantize(Module model, Precision precision)
    {
        if (precision == Precision.Fp32) return;
        var current = Of(model);
        if (current != Precision.Fp32)
            throw new InvalidOperationException($"the model's weights are already {Name(current)}; quantize its fp32 checkpoint instead");
        foreach (var (_, p) in model.NamedParameters())
            if (IsQuantizable(p)) p.UseQuantized(QuantizedWeight.Create(p.Data, p.Shape[0], p.Shape[1], precision));
    }

    /// <summary>
    /// Makes a loaded model compute in <paramref name="requested"/> precision (null: as stored). An fp32 model is
    /// quantized; a quantized one runs as stored, or in fp32 on its rounded weights. A quantized model cannot change
    /// to the other lower precision (its fp32 weights are gone).
    /// </summary>
    /// <exception cref="InvalidDataException">int8 asked of a bf16 model or bf16 of an int8 one; names <paramref name="source"/></exception>
    public static void Apply(Module model, Precision? requested, string source)
    {
        var stored = Of(model);
        if (requested is not { } want || want == stored) return;
        if (stored == Precision.Fp32)
        {
            Quantize(model, want);
            return;
        }
        if (want != Precision.Fp32)
            throw new InvalidDataException($"{source}: the checkpoint holds {Name(stored)} weights and cannot run in {Name(want)}; use its fp32 checkpoint");
        foreach (var (_, p) in model.NamedParameters()) p.DropQuantized();
    }

    /// <summary>The precision as the command line spells it: fp32, int8, bf16.</summary>
    public static string Name(Precision precision) => precision.ToString().ToLowerInvariant();
}
