using Attend.Tensors;

namespace Attend.Nn;

/// <summary>
/// A lookup table <c>weight</c> [V, E]. The padding row is initialised to 0 and never receives a
/// gradient, as PyTorch's <c>padding_idx</c>.
/// </summary>
internal sealed class Embedding : Module
{
    public int Vocab { get; }
    public int Dim { get; }
    public int PaddingIdx { get; }
    public Tensor Weight { get; }

    public Embedding(int vocab, int dim, int paddingIdx = -1)
    {
        if (paddingIdx >= vocab) throw new ArgumentException($"Embedding: padding index {paddingIdx} is outside the vocabulary of {vocab}");
        Vocab = vocab;
        Dim = dim;
        PaddingIdx = paddingIdx;
        Weight = Parameter("weight", vocab, dim);
    }

    /// <summary>ids of shape <paramref name="idsShape"/> → [..idsShape, E].</summary>
    public Tensor Forward(ReadOnlySpan<int> ids, params int[] idsShape) => Ops.Embedding(Weight, ids, idsShape, PaddingIdx);

    protected override void InitializeSelf(Rng rng)
    {
        rng.FillNormal(Weight.Data, 0f, 1f);
        if (PaddingIdx >= 0) Weight.Data.Slice(PaddingIdx * Dim, Dim).Clear();
    }
}
