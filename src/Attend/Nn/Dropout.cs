using Attend.Tensors;

namespace Attend.Nn;

/// <summary>
/// Inverted dropout. The generator is passed per call: a null generator means inference (identity),
/// so no layer carries a hidden "training" flag that could be left in the wrong state.
/// </summary>
internal readonly record struct Dropout(float P)
{
    /// <summary>x unchanged when <paramref name="rng"/> is null or p = 0; otherwise dropped and rescaled.</summary>
    public Tensor Forward(Tensor x, Rng? rng) => rng is null || P <= 0f ? x : Ops.Dropout(x, P, rng, training: true);
}
