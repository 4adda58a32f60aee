using Attend.Nn;
using Attend.Tensors;

namespace Attend.Attention;

/// <summary>
/// Additive attention (Bahdanau et al. 2015): e_j = vᵀ tanh(W q + U m_j), no biases. The query is the
/// previous decoder state; U m_j is computed once per sentence. Parameters <c>W</c> [A, Dq], <c>U</c> [A, Dm], <c>v</c> [1, A].
/// </summary>
internal sealed class BahdanauAttention : Module, IAttention
{
    public AttentionKind Kind => AttentionKind.Bahdanau;
    public Linear W { get; }
    public Linear U { get; }
    public Linear V { get; }

    public BahdanauAttention(int queryDim, int memoryDim, int attentionDim)
    {
        W = Child("W", new Linear(queryDim, attentionDim, bias: false));
        U = Child("U", new Linear(memoryDim, attentionDim, bias: false));
        V = Child("v", new Linear(attentionDim, 1, bias: false));
    }

    public PreparedMemory Prepare(Tensor memory, Tensor mask, ReadOnlySpan<int> lengths) => new(memory, Ops.LinearPrefixes(memory, U.Weight, lengths), mask);

    public Tensor Score(Tensor query, PreparedMemory prepared) => AttentionOps.Additive(W.Forward(query), prepared.Keys, V.Weight, prepared.QueriesPerSentence);

    /// <summary>As <see cref="IAttention.Attend"/>, with the padded source positions never scored (the softmax gives them 0 anyway).</summary>
    public (Tensor Context, Tensor Weights) Attend(Tensor query, PreparedMemory prepared) =>
        AttentionOps.Weigh(MaskedScore(query, prepared), prepared);

    /// <summary>As <see cref="IAttention.Weights"/>, with the padded source positions never scored.</summary>
    public Tensor Weights(Tensor query, PreparedMemory prepared) => Ops.MaskedSoftmax(MaskedScore(query, prepared), prepared.Mask);

    private Tensor MaskedScore(Tensor query, PreparedMemory prepared) =>
        AttentionOps.Additive(W.Forward(query), prepared.Keys, V.Weight, prepared.QueriesPerSentence, prepared.Mask);

    protected override void InitializeSelf(Rng rng) { }
}
