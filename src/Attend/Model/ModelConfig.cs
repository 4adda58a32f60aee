using System.Text.Json.Serialization;
using Attend.Attention;
using Attend.ConfigKeys;
using Attend.Nn;

namespace Attend.Model;

/// <summary>How a bidirectional encoder's two directions form the memory: [fwd; bwd] (2H) or fwd + bwd (H).</summary>
public enum MemoryKind
{
    /// <summary>Sum for the Luong kinds, Concat otherwise.</summary>
    Auto,
    /// <summary>[h→; h←], 2H per position.</summary>
    Concat,
    /// <summary>h→ + h←, H per position.</summary>
    Sum,
}

/// <summary>The decoder's initial state: zeros, the encoder's final state, or tanh(W[h→; h←] + b).</summary>
public enum DecoderInit
{
    /// <summary>Zeros.</summary>
    Zero,
    /// <summary>The encoder's final state of each layer (directions summed); needs as many layers on both sides.</summary>
    Last,
    /// <summary>tanh(W [h→; h←] + b) of the encoder's top layer, split across the decoder layers.</summary>
    Bridge,
}

/// <summary>What the output projection reads: the decoder output o_t, optionally with the context and the previous embedding.</summary>
public enum Readout
{
    /// <summary>o_t only.</summary>
    State,
    /// <summary>[o_t; c_t].</summary>
    StateContext,
    /// <summary>[o_t; c_t; e_{t−1}].</summary>
    StateContextEmbedding,
}

/// <summary>
/// The whole architecture of a model, as saved beside every checkpoint and as the <c>model:</c> section of a run's
/// config (its keys are the snake_case names; the vocabulary sizes and ids come from the data and are no keys).
/// Defaults are the PyTorch reference model of bench/pytorch/torch_peer.py (bidirectional GRU encoder, bridge
/// init, one layer, readout = state).
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Source vocabulary size (from the data).</summary>
    [NotAKey]
    public int SourceVocab { get; init; }
    /// <summary>Target vocabulary size V (from the data).</summary>
    [NotAKey]
    public int TargetVocab { get; init; }
    /// <summary>The recurrent cell of both sides.</summary>
    [Doc("`gru` or `lstm`.")]
    public RnnKind Rnn { get; init; } = RnnKind.Gru;
    /// <summary>The attention of the decoder, or none.</summary>
    [Doc("`none` (plain encoder–decoder), `bahdanau`, `luong_dot`, `luong_general` or `luong_concat`.")]
    public AttentionKind Attention { get; init; } = AttentionKind.Bahdanau;
    /// <summary>Embedding size E of both sides.</summary>
    [Doc("Embedding size E of both sides (at most 16384)."), Positive, Range(1, ModelLimits.MaxSize)]
    public int EmbeddingSize { get; init; } = 256;
    /// <summary>Hidden size H of every recurrent layer.</summary>
    [Doc("Hidden size H of every recurrent layer (at most 16384)."), Positive, Range(1, ModelLimits.MaxSize)]
    public int HiddenSize { get; init; } = 512;
    /// <summary>Size A of the additive (Bahdanau, Luong concat) scores; 0 = the hidden size.</summary>
    [Doc("Size of the additive attention layer (0 = hidden size; at most 16384)."), NonNegative, Range(0, ModelLimits.MaxSize)]
    public int AttentionSize { get; init; }
    /// <summary>Encoder layers.</summary>
    [Doc("Encoder layers (at most 64)."), Positive, Range(1, ModelLimits.MaxLayers)]
    public int EncoderLayers { get; init; } = 1;
    /// <summary>Decoder layers.</summary>
    [Doc("Decoder layers (at most 64)."), Positive, Range(1, ModelLimits.MaxLayers)]
    public int DecoderLayers { get; init; } = 1;
    /// <summary>Whether the encoder reads the source both ways.</summary>
    [Doc("Bidirectional encoder."), Key("bidirectional")]
    public bool BidirectionalEncoder { get; init; } = true;
    /// <summary>Auto resolves to Sum for the Luong kinds and Concat otherwise (as the PyTorch reference).</summary>
    [Doc("Memory of a bidirectional encoder: `auto`, `concat` or `sum`.")]
    public MemoryKind Memory { get; init; } = MemoryKind.Auto;
    /// <summary>The decoder's initial state.</summary>
    [Doc("Decoder initial state: `zero`, `last` or `bridge`.")]
    public DecoderInit Init { get; init; } = DecoderInit.Bridge;
    /// <summary>What the output projection reads.</summary>
    [Doc("What the output layer reads: `state`, `state_context` or `state_context_embedding`.")]
    public Readout Readout { get; init; } = Readout.State;
    /// <summary>Luong input feeding: h̃_{t−1} is concatenated to the decoder input.</summary>
    [Doc("Luong input feeding.")]
    public bool InputFeeding { get; init; }
    /// <summary>The output projection shares the target embedding matrix (needs readout size = embedding size).</summary>
    [Doc("Tie the target embeddings and the output projection.")]
    public bool TieEmbeddings { get; init; }
    /// <summary>Dropout on embeddings, between recurrent layers and before the readout (training only).</summary>
    [Doc("Dropout probability (embeddings, between layers, before the readout)."), Range(0, 1, MaxExclusive = true)]
    public float Dropout { get; init; }
    /// <summary>
    /// The largest model a run may build, checked before its parameters are allocated; a limit of the run, not part
    /// of the architecture, so a checkpoint does not save it.
    /// </summary>
    [JsonIgnore]
    [Doc("Refuse a model with more parameters than this, before allocating it (4 bytes each; training takes about 4 times that)."), Positive]
    public long MaxParameters { get; init; } = ModelLimits.DefaultMaxParameters;
    /// <summary>Id of the padding token on both sides.</summary>
    [NotAKey]
    public int PadId { get; init; }
    /// <summary>Id of the begin-of-sentence token.</summary>
    [NotAKey]
    public int BosId { get; init; } = 1;
    /// <summary>Id of the end-of-sentence token.</summary>
    [NotAKey]
    public int EosId { get; init; } = 2;

    [JsonIgnore]
    internal bool IsLuong => Attention is AttentionKind.LuongDot or AttentionKind.LuongGeneral or AttentionKind.LuongConcat;
    [JsonIgnore]
    internal int EncoderDirections => BidirectionalEncoder ? 2 : 1;

    /// <summary>The memory kind actually used.</summary>
    [JsonIgnore]
    public MemoryKind ResolvedMemory => Memory != MemoryKind.Auto ? Memory
        : IsLuong ? MemoryKind.Sum : MemoryKind.Concat;

    /// <summary>Dm: the size of one memory vector.</summary>
    [JsonIgnore]
    public int MemorySize => ResolvedMemory == MemoryKind.Sum ? HiddenSize : HiddenSize * EncoderDirections;

    /// <summary>Size of the concatenated final encoder states [h→; h←] (the context of the plain encoder–decoder).</summary>
    [JsonIgnore]
    public int LastStateSize => HiddenSize * EncoderDirections;

    /// <summary>Size of the context vector the decoder sees.</summary>
    [JsonIgnore]
    public int ContextSize => Attention == AttentionKind.None ? LastStateSize : MemorySize;

    /// <summary>Size of the decoder output o_t that the readout extends.</summary>
    [JsonIgnore]
    public int ReadoutSize => HiddenSize
        + (Readout == Readout.State ? 0 : ContextSize)
        + (Readout == Readout.StateContextEmbedding ? EmbeddingSize : 0);

    /// <summary>The config with <see cref="Memory"/> and <see cref="AttentionSize"/> made explicit; throws on invalid combinations, naming the field.</summary>
    public ModelConfig Resolve()
    {
        var r = this with { Memory = ResolvedMemory, AttentionSize = AttentionSize > 0 ? AttentionSize : HiddenSize };
        r.Validate();
        return r;
    }

    private void Validate()
    {
        void Require(bool ok, string field, string why)
        {
            if (!ok) throw new ArgumentException($"ModelConfig.{field}: {why}");
        }
        Require(SourceVocab > 0, nameof(SourceVocab), $"must be > 0, got {SourceVocab}");
        Require(TargetVocab > 0, nameof(TargetVocab), $"must be > 0, got {TargetVocab}");
        Require(EmbeddingSize > 0, nameof(EmbeddingSize), $"must be > 0, got {EmbeddingSize}");
        Require(HiddenSize > 0, nameof(HiddenSize), $"must be > 0, got {HiddenSize}");
        Require(EncoderLayers >= 1, nameof(EncoderLayers), $"must be ≥ 1, got {EncoderLayers}");
        Require(DecoderLayers >= 1, nameof(DecoderLayers), $"must be ≥ 1, got {DecoderLayers}");
        Require(Dropout is >= 0f and < 1f, nameof(Dropout), $"must be in [0, 1), got {Dropout}");
        Require(!InputFeeding || IsLuong, nameof(InputFeeding), $"input feeding is a Luong technique, attention is {Attention}");
        Require(Memory != MemoryKind.Sum || BidirectionalEncoder, nameof(Memory), "Sum needs a bidirectional encoder");
        Require(Attention != AttentionKind.LuongDot || MemorySize == HiddenSize, nameof(Memory),
            $"LuongDot needs memory size {MemorySize} = hidden size {HiddenSize}: use Sum");
        Require(Init != DecoderInit.Last || EncoderLayers == DecoderLayers, nameof(Init),
            $"Last needs as many encoder layers ({EncoderLayers}) as decoder layers ({DecoderLayers})");
        Require(!TieEmbeddings || ReadoutSize == EmbeddingSize, nameof(TieEmbeddings),
            $"tied embeddings need readout size {ReadoutSize} = embedding size {EmbeddingSize}");
        Require(PadId >= 0 && PadId < Math.Min(SourceVocab, TargetVocab), nameof(PadId), $"{PadId} is outside the vocabularies");
    }
}
