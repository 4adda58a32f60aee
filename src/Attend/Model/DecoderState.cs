using Attend.Attention;
using Attend.Nn;
using Attend.Tensors;

namespace Attend.Model;

/// <summary>The decoder's recurrent state and, with Luong input feeding, the previous attentional state h̃ [B, H].</summary>
internal sealed record DecoderState(RnnState Rnn, Tensor? Feed)
{
    /// <summary>Rows <paramref name="rows"/> of every tensor (beam search reorders hypotheses with this).</summary>
    public DecoderState SelectRows(ReadOnlySpan<int> rows) =>
        new(Rnn.SelectRows(rows), Feed is null ? null : Ops.IndexSelect(Feed, rows));

    /// <summary>The first <paramref name="n"/> rows of every tensor (the sentences of a length-sorted batch still running).</summary>
    public DecoderState FirstRows(int n) => new(Rnn.FirstRows(n), Feed is null ? null : Ops.Slice(Feed, 0, 0, n));

    /// <summary>The values of every tensor back to the pool (<see cref="RnnState.FreeValues"/>): a replaced decoding state.</summary>
    public void FreeValues()
    {
        Rnn.FreeValues();
        Feed?.FreeValues();
    }

    /// <summary>Every tensor handed to the enclosing scope (see <see cref="TensorScope.Promote"/>), so a step's own scope can end.</summary>
    public DecoderState PromoteToOuterScope()
    {
        Rnn.PromoteToOuterScope();
        if (Feed is not null) TensorScope.Promote(Feed);
        return this;
    }
}

/// <summary>
/// The memory side of decoding, computed once per batch of sentences: the prepared memory (keys
/// projected once; null without attention) and the final encoder states [B, D·H] (the fixed context of
/// <see cref="AttentionKind.None"/>).
/// </summary>
internal sealed record DecoderContext(PreparedMemory? Memory, Tensor Last, DecoderInputProjection? Input = null)
{
    /// <summary>The sentences decoded: all rows of the per-sentence vectors, or their first ones after <see cref="FirstRows"/>.</summary>
    public int Batch => _running >= 0 ? _running : Last.Shape[0];

    private int _running = -1;

    /// <summary>The first <see cref="Batch"/> rows of a per-sentence vector (<see cref="Last"/>, the fixed context).</summary>
    public Tensor Rows(Tensor perSentence) => perSentence.Shape[0] == Batch ? perSentence : Ops.Slice(perSentence, 0, 0, Batch);

    /// <summary>
    /// Each sentence <paramref name="k"/> times, as rows b·k + j (a batch expanded to beams). The per-sentence
    /// vectors and the mask are copied; the memory and keys [B, S, ·] are not: the attention reads sentence
    /// r / k for row r (<see cref="PreparedMemory.QueriesPerSentence"/>).
    /// </summary>
    public DecoderContext RepeatEach(int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "DecoderContext.RepeatEach: k must be at least 1");
        if (_running >= 0) throw new InvalidOperationException("DecoderContext.RepeatEach: the context is cut to its first rows");
        var rows = new int[Batch * k];
        for (int i = 0; i < rows.Length; i++) rows[i] = i / k;
        PreparedMemory? mem = null;
        if (Memory is not null)
        {
            if (Memory.QueriesPerSentence != 1)
                throw new InvalidOperationException("DecoderContext.RepeatEach: the memory is already shared by several rows per sentence");
            mem = Memory with { Mask = Ops.IndexSelect(Memory.Mask, rows), QueriesPerSentence = k };
        }
        return WithSentenceVectors(mem, x => Ops.IndexSelect(x, rows), sharedMemory: true);
    }

    /// <summary>
    /// The first <paramref name="n"/> sentences, for decoding only those of a length-sorted batch still running.
    /// Nothing is copied: the attention ops read the first rows of the prepared memory, and the decoder the first
    /// <see cref="Batch"/> rows of the per-sentence vectors (<see cref="Rows"/>), so no [B, ·] tensor is cut at
    /// every change of n.
    /// </summary>
    public DecoderContext FirstRows(int n)
    {
        if (n < 0 || n > Last.Shape[0]) throw new ArgumentOutOfRangeException(nameof(n), n, $"DecoderContext.FirstRows: outside 0..{Last.Shape[0]}");
        return this with { _running = n };
    }

    /// <summary>
    /// Sentences [<paramref name="first"/>, first + <paramref name="count"/>) of the batch, copied: memory, keys,
    /// mask and per-sentence vectors (a shard of a batch decoded on its own core, <c>Attend.Decoding.DecodeShards</c>).
    /// </summary>
    public DecoderContext Sentences(int first, int count)
    {
        if (_running >= 0) throw new InvalidOperationException("DecoderContext.Sentences: the context is cut to its first rows");
        if (first < 0 || count < 0 || first + count > Batch)
            throw new ArgumentOutOfRangeException(nameof(count), $"DecoderContext.Sentences: sentences {first}..{first + count} of a batch of {Batch}");
        if (first == 0 && count == Batch) return this;
        var rows = Enumerable.Range(first, count).ToArray();
        PreparedMemory? mem = null;
        if (Memory is not null)
        {
            if (Memory.QueriesPerSentence != 1)
                throw new InvalidOperationException("DecoderContext.Sentences: the memory is shared by several rows per sentence");
            var memory = Ops.IndexSelect(Memory.Memory, rows);
            mem = new PreparedMemory(memory, ReferenceEquals(Memory.Keys, Memory.Memory) ? memory : Ops.IndexSelect(Memory.Keys, rows),
                Ops.IndexSelect(Memory.Mask, rows));
        }
        return WithSentenceVectors(mem, x => Ops.IndexSelect(x, rows));
    }

    /// <summary>
    /// This context with <paramref name="memory"/> and <paramref name="rows"/> applied to the per-sentence vectors
    /// (Last, FixedContext) and, unless the rows share the memory (<paramref name="sharedMemory"/>), to the
    /// projected memory.
    /// </summary>
    private DecoderContext WithSentenceVectors(PreparedMemory? memory, Func<Tensor, Tensor> rows, bool sharedMemory = false)
    {
        var input = Input is null ? null
            : Input with
            {
                FixedContext = Input.FixedContext is null ? null : rows(Input.FixedContext),
                ProjectedMemory = Input.ProjectedMemory is null || sharedMemory ? Input.ProjectedMemory : rows(Input.ProjectedMemory),
            };
        return new DecoderContext(memory, rows(Last), input);
    }
}

/// <summary>
/// The decoder RNN's first-layer input projection W_ih [e; c] + b_ih cut by columns, for None and
/// Bahdanau (input [e; c]): W_e [G·H, E] with the bias applies to the embeddings (all target steps at
/// once in training), W_c [G·H, C] to the context. Without attention the context is the same at every
/// step, so W_c·last is computed once per batch (<see cref="FixedContext"/>, [B, G·H]) instead of once
/// per step. With attention, decoding (no graph) also projects the memory once per sentence:
/// <see cref="ProjectedMemory"/> [B, S, G·H] = W_c m_j at every real source position (0 at the padding), so a
/// step's W_c c = Σ_j α_j (W_c m_j) costs S·G·H multiply-adds a row instead of C·G·H, and the K beams of a
/// sentence share it.
/// </summary>
internal sealed record DecoderInputProjection(Tensor EmbeddingWeight, Tensor Bias, Tensor ContextWeight, Tensor? FixedContext,
    Tensor? ProjectedMemory = null);

/// <summary>One decoder step: the readout input o_t [B, ReadoutSize], the new state, and the attention weights [B, S] (null without attention).</summary>
internal sealed record DecoderStep(Tensor Readout, DecoderState State, Tensor? Weights);
