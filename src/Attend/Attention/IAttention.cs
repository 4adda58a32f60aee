using Attend.Tensors;

namespace Attend.Attention;

/// <summary>The attention families of the literature; <see cref="None"/> is the plain encoder–decoder.</summary>
public enum AttentionKind
{
    /// <summary>No attention: the plain encoder–decoder reads the final encoder states at every step.</summary>
    None,
    /// <summary>Additive attention scored with the previous decoder state, context fed into the RNN (Bahdanau et al. 2015).</summary>
    Bahdanau,
    /// <summary>Luong et al. 2015, score h·m, after the RNN step.</summary>
    LuongDot,
    /// <summary>Luong et al. 2015, score h·W m, after the RNN step.</summary>
    LuongGeneral,
    /// <summary>Luong et al. 2015, score v·tanh(W [h; m]), after the RNN step.</summary>
    LuongConcat,
}

/// <summary>
/// The memory of one batch of sentences with its keys projected once (U·m, W_a·m, …) so that every
/// decoder step reuses them. Memory [B, S, Dm], Keys [B, S, K] (K depends on the kind), Mask [B·Q, S]
/// (1 = real token), one row per query row. With <paramref name="QueriesPerSentence"/> Q &gt; 1 each
/// sentence serves Q consecutive query rows (the beams of beam search, rows b·Q + j), read in place.
/// </summary>
internal sealed record PreparedMemory(Tensor Memory, Tensor Keys, Tensor Mask, int QueriesPerSentence = 1)
{
    public int Batch => Memory.Shape[0];
    public int SourceLength => Memory.Shape[1];
}

/// <summary>
/// A score function over a padded memory. A query is [B, Dq] (one decoder step) or [B, T, Dq] (all steps
/// of a teacher-forced Luong decoder at once); scores, weights and context follow with [B, S] / [B, T, S].
/// </summary>
internal interface IAttention
{
    AttentionKind Kind { get; }

    /// <summary>
    /// Projects the keys once per sentence: memory [B, S, Dm], mask [B, S], and the sentences' lengths (the mask's
    /// ones): the keys are projected at the real positions only (<see cref="Ops.LinearPrefixes(Tensor, Tensor, ReadOnlySpan{int})"/>, 0 at the padding).
    /// </summary>
    PreparedMemory Prepare(Tensor memory, Tensor mask, ReadOnlySpan<int> lengths);

    /// <summary>
    /// Raw scores e: [B, S] or [B, T, S], computed at every position; at the padding the keys are 0 (see
    /// <see cref="Prepare"/>), which the masked softmax weighs 0 whatever the score.
    /// </summary>
    Tensor Score(Tensor query, PreparedMemory prepared);

    /// <summary>Weights = masked softmax of the scores (exactly 0 at padding); context = weights · memory.</summary>
    (Tensor Context, Tensor Weights) Attend(Tensor query, PreparedMemory prepared) => AttentionOps.Weigh(Score(query, prepared), prepared);

    /// <summary>The weights of <see cref="Attend"/> alone, for a caller that weighs something other than the memory.</summary>
    Tensor Weights(Tensor query, PreparedMemory prepared) => Ops.MaskedSoftmax(Score(query, prepared), prepared.Mask);
}
