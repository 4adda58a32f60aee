using Attend.Model;
using Attend.Tensors;

namespace Attend.Decoding;

/// <summary>Greedy search options: exactly <see cref="MaxSteps"/> steps unless <see cref="StopAtEos"/> and every sentence has emitted EOS or reached its own limit.</summary>
/// <param name="MaxSteps">the step limit</param>
/// <param name="StopAtEos">stop once every sentence has emitted EOS or reached its own limit</param>
/// <param name="KeepLogits">return every step's logits (false: <see cref="GreedyResult.Logits"/> is null, and a step keeps nothing but its state and tokens)</param>
/// <param name="Shards">how many shards of sentences decode at once (<see cref="DecodeShards"/>); 0 = one per core with at least 64 sentences each, for models whose output layer fits in cache. The result is the same whatever it is.</param>
/// <param name="ScoreTokens">return each emitted token's log-probability (<see cref="GreedyResult.TokenLogProbs"/>), computed at its step, so a caller that only needs the score need not keep the logits</param>
/// <param name="SentenceSteps">each sentence's own step limit (at most <see cref="MaxSteps"/>; null: MaxSteps for all): sentence b emits no token after step SentenceSteps[b], so its output is what it would be decoded alone with that limit, whatever its batch</param>
internal sealed record GreedyOptions(int MaxSteps = 100, bool StopAtEos = true, bool KeepLogits = true, int Shards = 0, bool ScoreTokens = false,
    IReadOnlyList<int>? SentenceSteps = null);

/// <summary>
/// Tokens [B][steps] (EOS included when emitted), their logits [B, steps, V] (null unless kept), attention weights
/// [B, steps, S] (null without attention), and each token's log-probability [B][steps] (null unless scored).
/// </summary>
internal sealed record GreedyResult(int[][] Tokens, Tensor? Logits, Tensor? Weights, float[][]? TokenLogProbs = null);

/// <summary>Greedy decoding: y_0 = BOS, then y_t = argmax of the logits of one decoder step on y_{t−1}.</summary>
internal static class Greedy
{
    public static GreedyResult Decode(Seq2Seq model, ReadOnlySpan<int> src, int batch, ReadOnlySpan<int> srcLengths, GreedyOptions options)
    {
        using var noGrad = GradMode.Off();
        DecodeShards.CheckSentenceSteps(options.SentenceSteps, batch, options.MaxSteps);
        var parts = DecodeShards.EncodeAndDecode(model, src, batch, srcLengths, 1, options.Shards,
            (ctx, state, n, shard) => DecodeShard(model, ctx, state, n, options, shard));
        return parts.Length == 1 ? parts[0] : new GreedyResult(parts.SelectMany(p => p.Tokens).ToArray(),
            ConcatRows(parts.Select(p => p.Logits)), ConcatRows(parts.Select(p => p.Weights)),
            options.ScoreTokens ? parts.SelectMany(p => p.TokenLogProbs!).ToArray() : null);
    }

    /// <summary>The shards' tensors [n_i, ..] as one [Σ n_i, ..] outside every scope (null when they are).</summary>
    private static Tensor? ConcatRows(IEnumerable<Tensor?> parts)
    {
        var list = parts.ToList();
        return list[0] is null ? null : TensorScope.Keep(Ops.Concat(list.Select(t => t!).ToList(), 0));
    }

    /// <summary>The steps of greedy decoding for <paramref name="batch"/> sentences from their encoded context and initial state.</summary>
    private static GreedyResult DecodeShard(Seq2Seq model, DecoderContext ctx, DecoderState state, int batch, GreedyOptions options, Shard shard)
    {
        var dec = model.Decoder;
        var y = new int[batch];
        Array.Fill(y, model.Config.BosId);
        var finished = new bool[batch];
        var tokens = new List<int>[batch];
        for (int b = 0; b < batch; b++) tokens[b] = [];
        var logits = new List<Tensor>();
        var weights = new List<Tensor>();
        var scores = options.ScoreTokens ? new List<float>[batch] : null;
        if (scores is not null) for (int b = 0; b < batch; b++) scores[b] = [];
        var stepScores = options.ScoreTokens ? new float[batch] : null;
        for (int t = 0; t < options.MaxSteps; t++)
        {
            // Each step in its own scope: only the new state, the kept logits and the weights outlive it,
            // so the step's buffers go back to the pool for the next step instead of piling up.
            using (var stepScope = TensorScope.Begin())
            {
                var step = dec.Step(dec.EmbedStep(y), state, ctx);
                // A state a step made is read by the next step only (no graph while decoding); the initial one may
                // share tensors with the context (the encoder's last state), so it stays.
                if (t > 0) state.FreeValues();
                state = step.State.PromoteToOuterScope();
                var l = dec.Logits(step.Readout);
                Decoder.ArgMaxRows(l, y);
                if (stepScores is not null)
                {
                    // log p(y_t) from this step's logits, as beam search scores (in place unless the logits are kept).
                    var lp = options.KeepLogits ? Ops.LogSoftmax(l) : Ops.LogSoftmaxInPlace(l);
                    int v = lp.Shape[1];
                    for (int b = 0; b < batch; b++) stepScores[b] = lp.Data[b * v + y[b]];
                }
                if (options.KeepLogits) logits.Add(TensorScope.Promote(l));
                if (step.Weights is not null) weights.Add(TensorScope.Promote(step.Weights));
            }
            bool all = true;
            for (int b = 0; b < batch; b++)
            {
                if (!finished[b])
                {
                    tokens[b].Add(y[b]);
                    scores?[b].Add(stepScores![b]);
                }
                if (options.StopAtEos) finished[b] |= y[b] == model.Config.EosId;
                if (options.SentenceSteps is { } limits) finished[b] |= t + 1 >= limits[shard.First + b];
                all &= finished[b];
            }
            if (options.StopAtEos && shard.StopAtEos(t, all)) break;
        }
        var allLogits = options.KeepLogits ? TensorScope.Keep(Ops.Stack(logits, 1)) : null;
        var allWeights = weights.Count == 0 ? null : TensorScope.Keep(Ops.Stack(weights, 1));
        return new GreedyResult(tokens.Select(x => x.ToArray()).ToArray(), allLogits, allWeights, scores?.Select(x => x.ToArray()).ToArray());
    }
}
