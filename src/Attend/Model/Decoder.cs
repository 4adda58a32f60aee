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
/// </remarks>
public sealed class Decoder : Module
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
    /// <paramref name="srcLengths"/>) and the initial state.
    /// </summary>
    public (DecoderContext Context, DecoderState State) Prepare(EncoderOutput enc, ReadOnlySpan<int> srcLengths)
    {
        var outputs = enc.Outputs;
        int b = outputs.Shape[0], s = outputs.Shape[1], h = Config.HiddenSize;
        PreparedMemory? prepared = null;
        if (Attention is not null)
        {
            var memory = Config.ResolvedMemory == MemoryKind.Sum && !enc.Summed ? Ops.SumChunks(outputs, 2) : outputs;
            prepared = Attention.Prepare(memory, LengthMask(srcLengths, b, s), srcLengths);
        }
        return (new DecoderContext(prepared, enc.Last, InputProjection(enc.Last, prepared?.Memory, srcLengths)), InitialState(enc, b));
    }

    /// <summary>
    /// The column split of the first decoder layer's W_ih for None and Bahdanau (null for Luong). When nothing
    /// records a graph (decoding) and attention feeds the context in, the memory is projected too:
    /// W_c m_j for every real source position (<see cref="DecoderInputProjection.ProjectedMemory"/>).
    /// </summary>
    private DecoderInputProjection? InputProjection(Tensor last, Tensor? memory, ReadOnlySpan<int> srcLengths)
    {
        if (Config.IsLuong) return null;
        int e = Config.EmbeddingSize, c = Config.ContextSize;
        var w = Rnn.WeightIh(0);
        var we = Ops.Slice(w, 1, 0, e);
        var wc = Ops.Slice(w, 1, e, c);
        var fixedContext = Config.Attention == AttentionKind.None ? Ops.Linear(last, wc) : null;
        var projectedMemory = memory is not null && !GradMode.IsEnabled ? Ops.LinearPrefixes(memory, wc, srcLengths) : null;
        return new DecoderInputProjection(we, Rnn.BiasIh(0), wc, fixedContext, projectedMemory);
    }

    /// <summary>W_e e + b_ih for embeddings [.., E] → [.., G·H] (None and Bahdanau).</summary>
    private static Tensor ProjectEmbedding(Tensor emb, DecoderInputProjection p) => Ops.Linear(emb, p.EmbeddingWeight, p.Bias);

    /// <summary>
    /// <see cref="ProjectEmbedding"/> of all target embeddings [B, T, E], a chunk of steps at a time and only the
    /// rows that run (<paramref name="rowsAt"/> a step), read step by step (<see cref="StepProjection"/>).
    /// </summary>
    private static StepProjection ProjectEmbeddings(Tensor emb, DecoderInputProjection p, Func<int, int> rowsAt) =>
        new(emb, p.EmbeddingWeight, p.Bias, rowsAt, reverse: false);

    /// <summary>Step <paramref name="i"/> of the projected embeddings, read in place.</summary>
    private static ProjectedStep ProjectedAt(StepProjection projected, int i)
    {
        var (chunk, at) = projected.At(i);
        return new ProjectedStep(chunk, at);
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

    /// <summary>One step on the embedded previous token <paramref name="prevEmbedding"/> [B, E].</summary>
    public DecoderStep Step(Tensor prevEmbedding, DecoderState state, DecoderContext context, Rng? dropoutRng = null) =>
        Step(prevEmbedding, null, state, context, dropoutRng);

    /// <summary>
    /// One step; for None and Bahdanau <paramref name="projected"/> may point at this step of W_e e + b_ih
    /// [B, T, G·H] computed beforehand (teacher forcing projects all steps in one product), read in place, and
    /// <paramref name="prevEmbedding"/> is then null unless the readout reads it. The RNN input [e; c] is never
    /// concatenated: W_ih [e; c] = W_e e + W_c c, with W_c·last computed once per batch without attention.
    /// </summary>
    private DecoderStep Step(Tensor? prevEmbedding, ProjectedStep? projected, DecoderState state, DecoderContext context, Rng? dropoutRng)
    {
        Tensor? ctx = null, weights = null;
        RnnState rnn;
        if (!Config.IsLuong)
        {
            var p = context.Input ?? throw new InvalidOperationException("Decoder.Step: the context has no input projection (make it with Decoder.Prepare)");
            int n = context.Batch;
            Tensor gx;
            if (Config.Attention == AttentionKind.None)
            {
                // The readout reads the fixed context only when it is part of it.
                ctx = Config.Readout == Readout.State ? null : context.Rows(context.Last);
                gx = projected is { } q ? Ops.AddStep(p.FixedContext!, q.Sequence, q.Step, n)
                    : Ops.Add(ProjectEmbedding(prevEmbedding!, p), context.Rows(p.FixedContext!));
            }
            else if (p.ProjectedMemory is { } values)
            {
                // W_c c = Σ_j α_j (W_c m_j): S·G·H multiply-adds a row instead of C·G·H (and no pass over W_c).
                var memory = context.Memory!;
                weights = Attention!.Weights(state.Rnn.Top, memory);
                var weighted = AttentionOps.WeightedSum(weights, values, memory.QueriesPerSentence);
                if (Config.Readout != Readout.State) ctx = AttentionOps.WeightedSum(weights, memory.Memory, memory.QueriesPerSentence);
                gx = projected is { } q ? Ops.AddStep(weighted, q.Sequence, q.Step, n) : Ops.Add(ProjectEmbedding(prevEmbedding!, p), weighted);
            }
            else
            {
                (ctx, weights) = Attention!.Attend(state.Rnn.Top, context.Memory!);
                gx = projected is { } q ? Ops.LinearAddStep(ctx, p.ContextWeight, q.Sequence, q.Step)
                    : Ops.Add(ProjectEmbedding(prevEmbedding!, p), Ops.Linear(ctx, p.ContextWeight));
            }
            rnn = Rnn.StepProjected(gx, state.Rnn, dropoutRng);
        }
        else
        {
            var x = Config.InputFeeding ? Ops.Concat([prevEmbedding!, state.Feed!], 1) : prevEmbedding!;
            rnn = Rnn.Step(x, state.Rnn, dropoutRng);
        }
        var o = rnn.Top;
        Tensor? feed = null;
        if (Config.IsLuong)
        {
            (ctx, weights) = Attention!.Attend(o, context.Memory!);
            o = Ops.Tanh(Wc!.Forward(Ops.Concat([ctx, o], 1)));
            if (Config.InputFeeding) feed = o;
        }
        return new DecoderStep(ReadoutInput(o, ctx, prevEmbedding, 1, dropoutRng), new DecoderState(rnn, feed), weights);
    }

    /// <summary>Step <paramref name="Step"/> of a chunk [B', steps, G·H] of W_e e + b_ih projected for the target steps (None and Bahdanau under teacher forcing).</summary>
    private readonly record struct ProjectedStep(Tensor Sequence, int Step);

    /// <summary>How many of the first <paramref name="rows"/> sentences (lengths non-increasing) still run at step <paramref name="i"/>.</summary>
    private static int RunningAt(int[] lengths, int rows, int i)
    {
        int n = rows;
        while (n > 0 && lengths[n - 1] <= i) n--;
        return n;
    }

    /// <summary>
    /// The step's embedding [n, E], needed unless the projection of all steps stands in for it (None and
    /// Bahdanau, unless the readout includes the embedding).
    /// </summary>
    private Tensor? StepEmbedding(Tensor emb, bool projected, int i, int n) =>
        projected && Config.Readout != Readout.StateContextEmbedding ? null : Ops.Select(emb, 1, i, n);

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

    /// <summary>
    /// Teacher-forced decoding of tgtIn [B, T] → logits [B, T, V] and attention weights [B, T, S] (null
    /// without attention). With <paramref name="teacherForcing"/> &lt; 1, each step t ≥ 1 feeds the gold token
    /// with that probability (one draw per step for the whole batch) and the model's argmax otherwise.
    /// Luong without input feeding under full teacher forcing takes the fast path: the RNN runs over the
    /// whole target in one sequence call, then attention and readout run for all T at once.
    /// </summary>
    public (Tensor Logits, Tensor? Weights) Forward(ReadOnlySpan<int> tgtIn, int batch, DecoderState state, DecoderContext context,
        Rng? dropoutRng = null, float teacherForcing = 1f, Rng? teacherForcingRng = null)
    {
        var (readouts, logits, weights) = Run(tgtIn, batch, state, context, dropoutRng, teacherForcing, teacherForcingRng);
        return (logits ?? Logits(readouts!), weights);
    }

    /// <summary>
    /// The training loss of <see cref="Forward"/> (mean cross-entropy of tgtOut [B, T] over its non-pad
    /// positions, with label smoothing) without the [B, T, V] logits: the output layer projects only the
    /// positions that are scored (<see cref="Ops.LinearCrossEntropy"/>). When the rows are sorted by
    /// decreasing target length, the stepwise decoders (None, Bahdanau, Luong with input feeding) also stop
    /// stepping each sentence after its end (<see cref="ShrinkingLoss"/>). Under teacher forcing &lt; 1
    /// every step's logits are needed for its argmax anyway and the loss reads them.
    /// </summary>
    public Tensor Loss(ReadOnlySpan<int> tgtIn, ReadOnlySpan<int> tgtOut, int batch, DecoderState state,
        DecoderContext context, float labelSmoothing = 0f, Rng? dropoutRng = null, float teacherForcing = 1f, Rng? teacherForcingRng = null)
    {
        var outBias = _out is not null ? _out.Bias : _tiedBias;
        bool stepwise = !(Config.IsLuong && !Config.InputFeeding);
        var real = Seq2SeqBatch.DecodingLengths(tgtOut, batch, Config.PadId);
        var lengths = teacherForcing >= 1f && Seq2SeqBatch.IsNonIncreasing(real) ? real : null;
        if (stepwise && lengths is not null)
            return ShrinkingLoss(tgtIn, tgtOut, batch, lengths, state, context, labelSmoothing, dropoutRng, outBias);
        // Luong without input feeding: its RNN runs over the target with the lengths (each step only the
        // sentences still running); attention then runs over [B, T] at once, and W_c over the scored positions.
        var (readouts, logits, _) = Run(tgtIn, batch, state, context, dropoutRng, teacherForcing, teacherForcingRng, lengths, real);
        return logits is not null
            ? Ops.CrossEntropy(logits, tgtOut, Config.PadId, labelSmoothing)
            : Ops.LinearCrossEntropy(readouts!, OutWeight, outBias, tgtOut, Config.PadId, labelSmoothing);
    }

    /// <summary>
    /// Teacher-forced loss of a batch sorted by decreasing target length, stepping only the sentences still
    /// running: at step i the first n_i rows (n_i = the number of lengths above i). A finished sentence's
    /// later steps are padding whose loss is ignored and whose states feed nothing scored, so skipping them
    /// changes no loss and no gradient; the per-step readouts [n_i, R] are concatenated into the [M, R]
    /// scored positions, and the output layer projects only those.
    /// </summary>
    private Tensor ShrinkingLoss(ReadOnlySpan<int> tgtIn, ReadOnlySpan<int> tgtOut, int batch, int[] lengths, DecoderState state,
        DecoderContext context, float labelSmoothing, Rng? dropoutRng, Tensor? outBias)
    {
        int t = tgtIn.Length / Math.Max(1, batch);
        var emb = EmbedTokens(tgtIn, batch, dropoutRng);
        var projected = context.Input is null ? null : ProjectEmbeddings(emb, context.Input, i => RunningAt(lengths, batch, i));
        var readouts = new List<Tensor>(t);
        var targets = new List<int>(tgtOut.Length);
        int rows = batch;
        for (int i = 0; i < t; i++)
        {
            int n = RunningAt(lengths, rows, i);
            if (n == 0) break;
            if (n < rows)
            {
                state = state.FirstRows(n);
                context = context.FirstRows(n);
                rows = n;
            }
            var step = Step(StepEmbedding(emb, projected is not null, i, n), projected is null ? null : ProjectedAt(projected, i), state, context, dropoutRng);
            state = step.State;
            readouts.Add(step.Readout);
            for (int b = 0; b < n; b++) targets.Add(tgtOut[b * t + i]);
        }
        // The steps have read the projection; its gradient still flows into W_e and the embeddings.
        projected?.Finish();
        if (readouts.Count == 0) return Ops.LinearCrossEntropy(Tensor.Empty(0, Config.ReadoutSize), OutWeight, outBias, [], Config.PadId, labelSmoothing);
        var scored = readouts.Count == 1 ? readouts[0] : Ops.Concat(readouts, 0);
        return Ops.LinearCrossEntropy(scored, OutWeight, outBias, targets.ToArray(), Config.PadId, labelSmoothing);
    }

    /// <summary>
    /// Teacher-forced decoding to the readout inputs [B, T, R], or to the logits [B, T, V] when steps feed their own
    /// argmax. <paramref name="rnnLengths"/>: decoding lengths that do not increase down the batch, for the Luong RNN;
    /// <paramref name="scored"/>: each row's decoding length, when only those positions are read (the loss): Luong's
    /// W_c then runs over them only, and the readouts are 0 after them.
    /// </summary>
    private (Tensor? Readouts, Tensor? Logits, Tensor? Weights) Run(ReadOnlySpan<int> tgtIn, int batch, DecoderState state,
        DecoderContext context, Rng? dropoutRng, float teacherForcing, Rng? teacherForcingRng, int[]? rnnLengths = null, int[]? scored = null)
    {
        int t = tgtIn.Length / Math.Max(1, batch);
        var emb = EmbedTokens(tgtIn, batch, dropoutRng);
        if (Config.IsLuong && !Config.InputFeeding && teacherForcing >= 1f)
        {
            var (hs, _) = Rnn.Forward(emb, rnnLengths, state.Rnn, dropoutRng);
            var (ctx, weights) = Attention!.Attend(hs, context.Memory!);
            // W_c [c; h] without the [B, T, Dm + H] concatenation, over the scored positions only when the caller
            // reads no other; tanh's backward reads its output only, so the product's values go back at once.
            var pre = scored is not null ? Ops.LinearPrefixes([ctx, hs], Wc!.Weight, scored) : Ops.LinearOfConcat([ctx, hs], Wc!.Weight);
            var o = Ops.Tanh(pre);
            pre.FreeValues();
            return (ReadoutInput(o, ctx, emb, 2, dropoutRng), null, weights);
        }
        if (teacherForcing < 1f && teacherForcingRng is null)
            throw new ArgumentException("Decoder.Forward: a teacher-forcing ratio below 1 needs a generator");

        var readouts = new Tensor[t];
        var stepWeights = new Tensor[t];
        var logits = teacherForcing < 1f ? new Tensor[t] : null;
        var predicted = new int[batch];
        // None and Bahdanau: W_e e + b_ih of every gold step in one product over [B·T, E].
        var projected = context.Input is null ? null : ProjectEmbeddings(emb, context.Input, _ => batch);
        for (int i = 0; i < t; i++)
        {
            bool gold = i == 0 || teacherForcing >= 1f || teacherForcingRng!.NextFloat() < teacherForcing;
            var x = gold ? StepEmbedding(emb, projected is not null, i, batch) : EmbedStep(predicted, dropoutRng);
            var step = Step(x, gold && projected is not null ? ProjectedAt(projected, i) : null, state, context, dropoutRng);
            state = step.State;
            readouts[i] = step.Readout;
            if (step.Weights is not null) stepWeights[i] = step.Weights;
            if (logits is not null)
            {
                logits[i] = Logits(step.Readout);
                ArgMaxRows(logits[i], predicted);
            }
        }
        projected?.Finish();
        var stacked = Attention is null ? null : Ops.Stack(stepWeights, 1);
        return logits is not null ? (null, Ops.Stack(logits, 1), stacked) : (Ops.Stack(readouts, 1), null, stacked);
    }

    /// <summary>Index of the largest value of each row of x [B, V] (first on ties).</summary>
    public static void ArgMaxRows(Tensor x, Span<int> dst) => Ops.ArgMaxRows(x, dst);
}
