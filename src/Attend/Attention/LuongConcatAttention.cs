using Attend.Nn;
using Attend.Tensors;

namespace Attend.Attention;

/// <summary>
/// Luong "concat": e_j = vᵀ tanh(W_a [h_t; m_j]). W_a is one [A, Dq + Dm] weight as in PyTorch; its memory
/// columns W_a[:, Dq:] are applied to the memory once per sentence, its query columns at each step.
/// </summary>
internal sealed class LuongConcatAttention : Module, IAttention
{
    public AttentionKind Kind => AttentionKind.LuongConcat;
    public Linear Wa { get; }
    public Linear V { get; }
    private readonly int _queryDim, _memoryDim;

    public LuongConcatAttention(int queryDim, int memoryDim, int attentionDim)
    {
        (_queryDim, _memoryDim) = (queryDim, memoryDim);
        Wa = Child("W_a", new Linear(queryDim + memoryDim, attentionDim, bias: false));
        V = Child("v", new Linear(attentionDim, 1, bias: false));
    }

    public PreparedMemory Prepare(Tensor memory, Tensor mask, ReadOnlySpan<int> lengths) =>
        new(memory, Ops.LinearPrefixes(memory, Ops.Slice(Wa.Weight, 1, _queryDim, _memoryDim), lengths), mask);

    public Tensor Score(Tensor query, PreparedMemory prepared) =>
        AttentionOps.Additive(Ops.Linear(query, Ops.Slice(Wa.Weight, 1, 0, _queryDim)), prepared.Keys, V.Weight, prepared.QueriesPerSentence);

    /// <summary>As <see cref="IAttention.Attend"/>, with the padded source positions never scored (the softmax gives them 0 anyway).</summary>
    public (Tensor Context, Tensor Weights) Attend(Tensor query, PreparedMemory prepared) =>
        AttentionOps.Weigh(AttentionOps.Additive(Ops.Linear(query, Ops.Slice(Wa.Weight, 1, 0, _queryDim)), prepared.Keys, V.Weight,
            prepared.QueriesPerSentence, prepared.Mask), prepared);

    protected override void InitializeSelf(Rng rng) { }
}
