using Attend.Attention;
using Attend.Nn;
using Attend.Tensors;

namespace Attend.Model;

/// <summary>
/// The target side: embedding, initial-state bridge, recurrent stack, attention, Luong's attentional layer
/// W_c and the output projection, with the PyTorch reference's parameter names (<c>decoder.embed</c>, <c>decoder.bridge</c>,
/// <c>decoder.rnn</c>, <c>decoder.W</c>/<c>U</c>/<c>v</c> or <c>decoder.W_a</c>, <c>decoder.W_c</c>, <c>decoder.out</c>).
/// </summary>
/// <remarks>
/// None and Bahdanau feed the context into the RNN input [e; c] (Bahdanau scores with the previous state);
/// Luong kinds score with the state after the RNN step and read out h̃ = tanh(W_c [c; h]).
/// This file builds the decoder and prepares its context; each step takes one named <see cref="DecoderRoute"/>
/// (Decoder.Step.cs), and teacher forcing over a whole target, with the training loss, is Decoder.TeacherForcing.cs.
/// </remarks>
internal sealed partial class Decoder : Module
{
    public ModelConfig Config { get; }
    public Embedding Embed { get; }
    public Linear? Bridge { get; }
    public Rnn Rnn { get; }
    public IAttention? Attention { get; }
    public Linear? Wc { get; }
    private readonly Linear? _out;
    private readonly Tensor? _tiedBias;
    private readonly Dropout _dropout;

    public Decoder(ModelConfig config)
    {
        Config = config;
        int h = config.HiddenSize, e = config.EmbeddingSize;
        Embed = Child("embed", new Embedding(config.TargetVocab, e, config.PadId));
        if (config.Init == DecoderInit.Bridge)
            Bridge = Child("bridge", new Linear(config.LastStateSize, h * config.DecoderLayers));
        int rnnIn = e + (config.IsLuong ? (config.InputFeeding ? h : 0) : config.ContextSize);
        Rnn = Child("rnn", new Rnn(config.Rnn, rnnIn, h, config.DecoderLayers, bidirectional: false, config.Dropout));
        var attention = AttentionFactory.Create(config.Attention, h, config.MemorySize, config.AttentionSize > 0 ? config.AttentionSize : h);
        if (attention is not null) Attention = (IAttention)Child("", attention);
        if (config.IsLuong) Wc = Child("W_c", new Linear(config.MemorySize + h, h, bias: false));
        if (config.TieEmbeddings) _tiedBias = Parameter("out.bias", config.TargetVocab);
        else _out = Child("out", new Linear(config.ReadoutSize, config.TargetVocab));
        _dropout = new Dropout(config.Dropout);
    }

    /// <summary>The output projection's weight [V, ReadoutSize] (the embedding matrix when tied).</summary>
    public Tensor OutWeight => _out?.Weight ?? Embed.Weight;

    protected override void InitializeSelf(Rng rng)
    {
        if (_tiedBias is not null) UniformFanIn(_tiedBias, Config.ReadoutSize, rng);
    }

    /// <summary>
    /// The memory side (memory of directions concatenated or summed, keys projected once, mask from
    /// <paramref name="srcLengths"/>) and the initial state, for a <paramref name="pass"/> that its caller names:
    /// training, or inference, which also projects Bahdanau's memory by W_c (<see cref="DecoderRoute.ProjectedMemory"/>).
    /// </summary>
    public (DecoderContext Context, DecoderState State) Prepare(EncoderOutput enc, ReadOnlySpan<int> srcLengths, DecoderPass pass)
    {
        var outputs = enc.Outputs;
        int b = outputs.Shape[0], s = outputs.Shape[1], h = Config.HiddenSize;
        PreparedMemory? prepared = null;
        if (Attention is not null)
        {
            var memory = Config.ResolvedMemory == MemoryKind.Sum && !enc.Summed ? Ops.SumChunks(outputs, 2) : outputs;
            prepared = Attention.Prepare(memory, LengthMask(srcLengths, b, s), srcLengths);
        }
        return (new DecoderContext(prepared, enc.Last, InputProjection(enc.Last, prepared?.Memory, srcLengths, pass)), InitialState(enc, b));
    }

    /// <summary>
    /// The column split of the first decoder layer's W_ih for None and Bahdanau (null for Luong). In an inference
    /// pass (decoding) where attention feeds the context in, the memory is projected too:
    /// W_c m_j for every real source position (<see cref="DecoderInputProjection.ProjectedMemory"/>).
    /// </summary>
    private DecoderInputProjection? InputProjection(Tensor last, Tensor? memory, ReadOnlySpan<int> srcLengths, DecoderPass pass)
    {
        if (Config.IsLuong) return null;
        int e = Config.EmbeddingSize, c = Config.ContextSize;
        var w = Rnn.WeightIh(0);
        var we = Ops.Slice(w, 1, 0, e);
        var wc = Ops.Slice(w, 1, e, c);
        var fixedContext = Config.Attention == AttentionKind.None ? Ops.Linear(last, wc) : null;
        // The caller's pass picks Bahdanau's route: the memory is projected by W_c only for inference (search,
        // validation), which selects DecoderRoute.ProjectedMemory (see RouteOf); training projects each step's context.
        bool projectMemory = memory is not null && pass == DecoderPass.Inference;
        var projectedMemory = projectMemory ? Ops.LinearPrefixes(memory!, wc, srcLengths) : null;
        return new DecoderInputProjection(we, Rnn.BiasIh(0), wc, fixedContext, projectedMemory);
    }

    /// <summary>
    /// The weights every decoding step multiplies by, for <see cref="PackedWeights"/>: the output layer, W_hh of
    /// each layer, W_ih of the layers that read it whole (all but the first for None and Bahdanau, whose first
    /// layer reads <paramref name="context"/>'s W_e and W_c), Bahdanau's query weight and Luong's W_c.
    /// </summary>
    public IEnumerable<Tensor> StepWeights(DecoderContext context)
    {
        yield return OutWeight;
        for (int l = 0; l < Rnn.Layers; l++)
        {
            yield return Rnn.WeightHh(l);
            if (l > 0 || context.Input is null) yield return Rnn.WeightIh(l);
        }
        if (context.Input is { } p)
        {
            yield return p.EmbeddingWeight;
            // W_c multiplies each step's context unless the memory is projected by it once (decoding with attention).
            if (Config.Attention != AttentionKind.None && p.ProjectedMemory is null) yield return p.ContextWeight;
        }
        if (Attention is BahdanauAttention bahdanau) yield return bahdanau.W.Weight;
        if (Wc is not null) yield return Wc.Weight;
    }

    /// <summary>[B, S] float mask: 1 where j &lt; length[b], else 0.</summary>
    public static Tensor LengthMask(ReadOnlySpan<int> lengths, int batch, int s)
    {
        var mask = Tensor.Zeros(batch, s);
        for (int i = 0; i < batch; i++) mask.Data.Slice(i * s, Math.Min(lengths[i], s)).Fill(1f);
        return mask;
    }

    private DecoderState InitialState(EncoderOutput enc, int b)
    {
        int layers = Config.DecoderLayers, h = Config.HiddenSize, encD = Config.EncoderDirections;
        var hs = new Tensor[layers];
        Tensor[]? cs = Config.Rnn == RnnKind.Lstm ? new Tensor[layers] : null;
        // Bridge: one projection of [h→; h←] for all layers, s0 = tanh(W last + b), split per layer.
        var bridged = Config.Init == DecoderInit.Bridge ? Ops.Tanh(Bridge!.Forward(enc.Last)) : null;
        for (int l = 0; l < layers; l++)
        {
            hs[l] = Config.Init switch
            {
                DecoderInit.Bridge => layers == 1 ? bridged! : Ops.Slice(bridged!, 1, l * h, h),
                DecoderInit.Last => SumDirections(enc.Final.H, l, encD),
                _ => Tensor.Zeros(b, h),
            };
            // The LSTM cell starts at 0 except under Last, which carries the encoder's cells over.
            if (cs is not null)
                cs[l] = Config.Init == DecoderInit.Last ? SumDirections(enc.Final.C!, l, encD) : Tensor.Zeros(b, h);
        }
        var feed = Config.InputFeeding ? Tensor.Zeros(b, h) : null;
        return new DecoderState(new RnnState(hs, cs), feed);
    }

    private static Tensor SumDirections(IReadOnlyList<Tensor> states, int layer, int dirs) =>
        dirs == 1 ? states[layer] : Ops.Add(states[layer * 2], states[layer * 2 + 1]);

    /// <summary>Embeds target ids [B, T] → [B, T, E] (dropout when training).</summary>
    public Tensor EmbedTokens(ReadOnlySpan<int> ids, int batch, Rng? dropoutRng = null) =>
        _dropout.Forward(Embed.Forward(ids, batch, ids.Length / Math.Max(1, batch)), dropoutRng);

    /// <summary>Embeds one token per sentence, ids [B] → [B, E] (dropout when training).</summary>
    public Tensor EmbedStep(ReadOnlySpan<int> ids, Rng? dropoutRng = null) =>
        _dropout.Forward(Embed.Forward(ids, ids.Length), dropoutRng);

    /// <summary>Logits [.., V] from readout inputs [.., ReadoutSize].</summary>
    public Tensor Logits(Tensor readout) => _out is not null ? _out.Forward(readout) : Ops.Linear(readout, Embed.Weight, _tiedBias);

    private Tensor ReadoutInput(Tensor o, Tensor? ctx, Tensor? emb, int dim, Rng? dropoutRng)
    {
        var r = Config.Readout switch
        {
            Readout.State => o,
            Readout.StateContext => Ops.Concat([o, ctx!], dim),
            _ => Ops.Concat([o, ctx!, emb!], dim),
        };
        return _dropout.Forward(r, dropoutRng);
    }

    /// <summary>Index of the largest value of each row of x [B, V] (first on ties).</summary>
    public static void ArgMaxRows(Tensor x, Span<int> dst) => Ops.ArgMaxRows(x, dst);
}
