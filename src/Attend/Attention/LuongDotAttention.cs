using Attend.Nn;
using Attend.Tensors;

namespace Attend.Attention;

/// <summary>Luong et al. 2015 "dot": e_j = h_t · m_j. No parameters; the memory must have the decoder's size.</summary>
internal sealed class LuongDotAttention : Module, IAttention
{
    public AttentionKind Kind => AttentionKind.LuongDot;

    public PreparedMemory Prepare(Tensor memory, Tensor mask, ReadOnlySpan<int> lengths) => new(memory, memory, mask);

    public Tensor Score(Tensor query, PreparedMemory prepared) => AttentionOps.Dot(query, prepared.Keys, prepared.QueriesPerSentence);

    /// <summary>As <see cref="IAttention.Attend"/>, with the padded source positions never scored (the softmax gives them 0 anyway).</summary>
    public (Tensor Context, Tensor Weights) Attend(Tensor query, PreparedMemory prepared) =>
        AttentionOps.Weigh(AttentionOps.Dot(query, prepared.Keys, prepared.QueriesPerSentence, prepared.Mask), prepared);

    protected override void InitializeSelf(Rng rng) { }
}
