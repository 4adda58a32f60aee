namespace Attend.Tensors;

/// <summary>
/// Weights [Out, In] packed once for the products of many calls that read them unchanged (the steps of a
/// decoding batch): while this is held, <see cref="Ops.Linear"/> and the cells' hidden products on those weights
/// read the packed panels instead of packing the weight again at every call, for the same bits. The weights
/// must not change while it is held. Holds nest and may overlap across threads (concurrent decodes share one
/// packed copy).
/// </summary>
/// <example>
/// <code>
/// using (PackedWeights.Hold([decoder.OutWeight, ...]))
///     for (int t = 0; t &lt; steps; t++) { ... Ops.Linear(h, decoder.OutWeight, bias) ... }
/// </code>
/// </example>
internal sealed class PackedWeights : IDisposable
{
    private readonly Tensor[] _weights;
    private bool _disposed;

    private PackedWeights(Tensor[] weights) => _weights = weights;

    /// <summary>Packs each distinct rank-2 weight of <paramref name="weights"/> (others are skipped) and holds them until disposed.</summary>
    public static PackedWeights Hold(IEnumerable<Tensor?> weights)
    {
        // An int8 weight never reads fp32 panels (bf16 does, for products of many rows).
        var held = weights.OfType<Tensor>().Where(w => w.Rank == 2 && w.Length > 0 && w.Quantized?.Precision != Precision.Int8).Distinct().ToArray();
        foreach (var w in held) w.HoldPacked();
        return new PackedWeights(held);
    }

    /// <summary>
    /// Drops the packed copies no hold uses, kept for the next batch's weights to pack into (part of
    /// <see cref="BufferPool.Trim"/>): after decoding that will not run again soon, such as a validation between training steps.
    /// </summary>
    public static void ReleaseSpares() => Kernels.GemmPrepacked.ReleaseSpares();

    /// <summary>Returns the packed copy to the pool; the source weights are untouched.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var w in _weights) w.ReleasePacked();
    }
}
