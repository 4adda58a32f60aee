using Attend.Nn;
using Attend.Tensors;

namespace Attend.Attention;

/// <summary>
/// Luong "general": e_j = h_tᵀ W_a m_j. W_a m_j is projected once per sentence.
/// Parameter <c>W_a</c> [Dq, Dm] (PyTorch's nn.Linear(Dm, Dq) applied to the memory).
/// </summary>
internal sealed class LuongGeneralAttention : Module, IAttention
{
    public AttentionKind Kind => AttentionKind.LuongGeneral;
    public Linear Wa { get; }

    public LuongGeneralAttention(int queryDim, int memoryDim) => Wa = Child("W_a", new Linear(memoryDim, queryDim, bias: false));

    public PreparedMemory Prepare(Tensor memory, Tensor mask, ReadOnlySpan<int> lengths) => new(memory, Ops.LinearPrefixes(memory, Wa.Weight, lengths), mask);

    public Tensor Score(Tensor query, PreparedMemory prepared) => AttentionOps.Dot(query, prepared.Keys, prepared.QueriesPerSentence);

    /// <summary>As <see cref="IAttention.Attend"/>, with the padded source positions never scored (the softmax gives them 0 anyway).</summary>
    public (Tensor Context, Tensor Weights) Attend(Tensor query, PreparedMemory prepared) =>
        AttentionOps.Weigh(AttentionOps.Dot(query, prepared.Keys, prepared.QueriesPerSentence, prepared.Mask), prepared);

    protected override void InitializeSelf(Rng rng) { }
}
