using Attend.Nn;
using Attend.Tensors;

namespace Attend.Model;

/// <summary>How a forward pass runs: a null generator is evaluation (no dropout, full teacher forcing).</summary>
/// <param name="Rng">drives dropout and the teacher-forcing draws; null = evaluation</param>
/// <param name="TeacherForcing">probability of feeding the gold previous token at each step t ≥ 1</param>
/// <param name="Pass">the decoder pass: training (a graph may be recorded) or inference (under GradMode.Off)</param>
internal sealed record ForwardOptions(Rng? Rng = null, float TeacherForcing = 1f, DecoderPass Pass = DecoderPass.Training)
{
    /// <summary>No dropout, full teacher forcing, the training pass (a graph may be recorded).</summary>
    public static readonly ForwardOptions Eval = new();

    /// <summary>No dropout, full teacher forcing, the inference pass: validation and forced decoding, under GradMode.Off.</summary>
    public static readonly ForwardOptions Inference = new(Pass: DecoderPass.Inference);
}

/// <summary>Loss (mean cross-entropy over non-pad targets), logits [B, T, V] and attention weights [B, T, S] (null for None).</summary>
internal sealed record Seq2SeqOutput(Tensor Loss, Tensor Logits, Tensor? Weights);

/// <summary>The encoder–decoder with parameter names <c>encoder.*</c> and <c>decoder.*</c>, as the PyTorch reference.</summary>
internal sealed class Seq2Seq : Module
{
    public ModelConfig Config { get; }
    public Encoder Encoder { get; }
    public Decoder Decoder { get; }

    /// <summary>Builds the model of <paramref name="config"/> (resolved first); parameters are zero until <see cref="Module.Initialize"/>.</summary>
    public Seq2Seq(ModelConfig config)
    {
        Config = config.Resolve();
        Encoder = Child("encoder", new Encoder(Config));
        Decoder = Child("decoder", new Decoder(Config));
    }

    /// <summary>A model initialised as PyTorch would (same distributions, our generator).</summary>
    public static Seq2Seq Create(ModelConfig config, ulong seed)
    {
        var m = new Seq2Seq(config);
        m.Initialize(new Rng(seed));
        return m;
    }

    /// <summary>
    /// Encodes the source and prepares the decoder for <paramref name="pass"/> (training or inference, see
    /// <see cref="Decoder.Prepare"/>): memory keys projected once, initial state.
    /// </summary>
    public (DecoderContext Context, DecoderState State) Encode(ReadOnlySpan<int> src, int batch, ReadOnlySpan<int> lengths, DecoderPass pass,
        Rng? dropoutRng = null)
    {
        // A summed memory comes summed out of the encoder: no [B, S, 2H] tensor, nor its gradient.
        bool sum = Config.ResolvedMemory == MemoryKind.Sum && Decoder.Attention is not null;
        var enc = Encoder.Forward(src, batch, lengths, dropoutRng, sumDirections: sum);
        var prepared = Decoder.Prepare(enc, lengths, pass);
        // Without attention the outputs feed nothing; concatenated outputs summed by the decoder (a one-directional
        // encoder) feed only SumChunks, whose backward never reads them.
        if (Decoder.Attention is null || (Config.ResolvedMemory == MemoryKind.Sum && !enc.Summed)) enc.Outputs.FreeValues();
        return prepared;
    }

    /// <summary>Teacher-forced forward pass over a batch.</summary>
    public Seq2SeqOutput Forward(Seq2SeqBatch batch, ForwardOptions? options = null)
    {
        batch.Validate();
        options ??= ForwardOptions.Eval;
        var rng = options.Rng;
        var (ctx, state) = Encode(batch.Source, batch.Batch, batch.SourceLengths, options.Pass, rng);
        var (logits, weights) = Decoder.Forward(batch.TargetIn, batch.Batch, state, ctx, rng, rng is null ? 1f : options.TeacherForcing, rng);
        var loss = Ops.CrossEntropy(logits, batch.TargetOut, Config.PadId); // [B, T, V] as B·T rows, no reshaped copy
        return new Seq2SeqOutput(loss, logits, weights);
    }

    /// <summary>
    /// The training loss of <see cref="Forward"/> (mean cross-entropy over non-pad targets, with label
    /// smoothing), computed without the [B, T, V] logits: the rows are taken in order of decreasing target
    /// length (the loss is a mean over all positions, so the order changes nothing but the order of a sum,
    /// and which dropout draw goes to which sentence), padded positions are never projected onto the
    /// vocabulary and the stepwise decoders stop each sentence at its end (<see cref="Decoder.Loss"/>).
    /// </summary>
    public Tensor Loss(Seq2SeqBatch batch, ForwardOptions? options = null, float labelSmoothing = 0f)
    {
        batch = batch.Validate().SortedByTargetLength(Config.PadId);
        options ??= ForwardOptions.Eval;
        var rng = options.Rng;
        var (ctx, state) = Encode(batch.Source, batch.Batch, batch.SourceLengths, options.Pass, rng);
        return Decoder.Loss(batch.TargetIn, batch.TargetOut, batch.Batch, state, ctx, labelSmoothing, rng,
            rng is null ? 1f : options.TeacherForcing, rng);
    }

    protected override void InitializeSelf(Rng rng) { }
}
