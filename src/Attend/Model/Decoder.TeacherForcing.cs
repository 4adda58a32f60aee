// Teacher-forced decoding over a whole target: the logits and weights (Forward) and the training loss (Loss),
// stepping with Decoder.Step, except Luong without input feeding, whose RNN runs over the target in one call.
using Attend.Tensors;

namespace Attend.Model;

internal sealed partial class Decoder
{
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
}
