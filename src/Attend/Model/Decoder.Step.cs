// One decoder step, by an explicit route: which of the four ways the RNN input and the context are formed.
// The route is named by DecoderRoute and chosen in one place (RouteOf) from the attention kind and the caller's
// DecoderPass (training or inference); teacher forcing and search both step here.
using Attend.Attention;
using Attend.Nn;
using Attend.Tensors;

namespace Attend.Model;

/// <summary>
/// What a pass over the decoder is for, chosen by its caller and passed to <see cref="Decoder.Prepare"/>: it picks
/// Bahdanau's route (<see cref="DecoderRoute.AttendThenProject"/> or <see cref="DecoderRoute.ProjectedMemory"/>).
/// </summary>
internal enum DecoderPass
{
    /// <summary>Training: a graph is recorded, so Bahdanau attends and projects the context by W_c at each step.</summary>
    Training,
    /// <summary>
    /// Inference (search, validation, forced decoding, under <c>GradMode.Off</c>): the model is only read, so
    /// Bahdanau's memory is projected by W_c once per batch and each step sums the projection.
    /// </summary>
    Inference,
}

/// <summary>How one decoder step forms its RNN input and its context (see <see cref="Decoder.RouteOf"/>).</summary>
internal enum DecoderRoute
{
    /// <summary>No attention: the input is W_e e + W_c·last, with W_c·last computed once per batch.</summary>
    FixedContext,
    /// <summary>
    /// Bahdanau in a <see cref="DecoderPass.Training"/> pass: attend with the previous state, then W_e e + W_c c.
    /// </summary>
    AttendThenProject,
    /// <summary>
    /// Bahdanau in a <see cref="DecoderPass.Inference"/> pass (search, validation): the memory was projected by W_c once in
    /// <see cref="Decoder.Prepare"/>, so W_c c = Σ_j α_j (W_c m_j) (S·G·H multiply-adds a row instead of C·G·H).
    /// </summary>
    ProjectedMemory,
    /// <summary>Luong: the RNN steps on [e; h̃_prev] (input feeding) or e, then attends with its new state, h̃ = tanh(W_c [c; h]).</summary>
    AttendAfterRnn,
}

internal sealed partial class Decoder
{
    /// <summary>
    /// The route of every step on <paramref name="context"/>: Luong kinds attend after the RNN; without attention
    /// the context is fixed; Bahdanau uses the projected memory when <see cref="Prepare"/> made one (an
    /// <see cref="DecoderPass.Inference"/> pass), else attends and projects the context at each step.
    /// </summary>
    public DecoderRoute RouteOf(DecoderContext context)
    {
        if (Config.IsLuong) return DecoderRoute.AttendAfterRnn;
        var p = context.Input ?? throw new InvalidOperationException("Decoder.Step: the context has no input projection (make it with Decoder.Prepare)");
        if (Config.Attention == AttentionKind.None) return DecoderRoute.FixedContext;
        return p.ProjectedMemory is not null ? DecoderRoute.ProjectedMemory : DecoderRoute.AttendThenProject;
    }

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
        var route = RouteOf(context);
        if (route == DecoderRoute.AttendAfterRnn) return AttendAfterRnnStep(prevEmbedding!, state, context, dropoutRng);
        var p = context.Input!;
        var (gx, ctx, weights) = route switch
        {
            DecoderRoute.FixedContext => FixedContextInput(prevEmbedding, projected, context, p),
            DecoderRoute.ProjectedMemory => ProjectedMemoryInput(prevEmbedding, projected, state, context, p),
            _ => AttendThenProjectInput(prevEmbedding, projected, state, context, p),
        };
        var rnn = Rnn.StepProjected(gx, state.Rnn, dropoutRng);
        return new DecoderStep(ReadoutInput(rnn.Top, ctx, prevEmbedding, 1, dropoutRng), new DecoderState(rnn, null), weights);
    }

    /// <summary><see cref="DecoderRoute.FixedContext"/>: the RNN's input pre-activation [n, G·H]; the context is read out only when the readout includes it.</summary>
    private (Tensor Gx, Tensor? Context, Tensor? Weights) FixedContextInput(Tensor? prevEmbedding, ProjectedStep? projected,
        DecoderContext context, DecoderInputProjection p)
    {
        var ctx = Config.Readout == Readout.State ? null : context.Rows(context.Last);
        var gx = projected is { } q ? Ops.AddStep(p.FixedContext!, q.Sequence, q.Step, context.Batch)
            : Ops.Add(ProjectEmbedding(prevEmbedding!, p), context.Rows(p.FixedContext!));
        return (gx, ctx, null);
    }

    /// <summary><see cref="DecoderRoute.ProjectedMemory"/>: W_c c as the attention-weighted sum of the projected memory.</summary>
    private (Tensor Gx, Tensor? Context, Tensor? Weights) ProjectedMemoryInput(Tensor? prevEmbedding, ProjectedStep? projected,
        DecoderState state, DecoderContext context, DecoderInputProjection p)
    {
        var memory = context.Memory!;
        var weights = Attention!.Weights(state.Rnn.Top, memory);
        var weighted = AttentionOps.WeightedSum(weights, p.ProjectedMemory!, memory.QueriesPerSentence);
        var ctx = Config.Readout != Readout.State ? AttentionOps.WeightedSum(weights, memory.Memory, memory.QueriesPerSentence) : null;
        var gx = projected is { } q ? Ops.AddStep(weighted, q.Sequence, q.Step, context.Batch) : Ops.Add(ProjectEmbedding(prevEmbedding!, p), weighted);
        return (gx, ctx, weights);
    }

    /// <summary><see cref="DecoderRoute.AttendThenProject"/>: attend with the previous state, then W_c c (fused with the projected step under teacher forcing).</summary>
    private (Tensor Gx, Tensor? Context, Tensor? Weights) AttendThenProjectInput(Tensor? prevEmbedding, ProjectedStep? projected,
        DecoderState state, DecoderContext context, DecoderInputProjection p)
    {
        var (ctx, weights) = Attention!.Attend(state.Rnn.Top, context.Memory!);
        var gx = projected is { } q ? Ops.LinearAddStep(ctx, p.ContextWeight, q.Sequence, q.Step)
            : Ops.Add(ProjectEmbedding(prevEmbedding!, p), Ops.Linear(ctx, p.ContextWeight));
        return (gx, ctx, weights);
    }

    /// <summary><see cref="DecoderRoute.AttendAfterRnn"/>: one Luong step.</summary>
    private DecoderStep AttendAfterRnnStep(Tensor prevEmbedding, DecoderState state, DecoderContext context, Rng? dropoutRng)
    {
        var x = Config.InputFeeding ? Ops.Concat([prevEmbedding, state.Feed!], 1) : prevEmbedding;
        var rnn = Rnn.Step(x, state.Rnn, dropoutRng);
        var (ctx, weights) = Attention!.Attend(rnn.Top, context.Memory!);
        var o = Ops.Tanh(Wc!.Forward(Ops.Concat([ctx, rnn.Top], 1)));
        return new DecoderStep(ReadoutInput(o, ctx, prevEmbedding, 1, dropoutRng), new DecoderState(rnn, Config.InputFeeding ? o : null), weights);
    }

    /// <summary>W_e e + b_ih for embeddings [.., E] → [.., G·H] (None and Bahdanau).</summary>
    private static Tensor ProjectEmbedding(Tensor emb, DecoderInputProjection p) => Ops.Linear(emb, p.EmbeddingWeight, p.Bias);
}
