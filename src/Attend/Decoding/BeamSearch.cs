using Attend.Model;
using Attend.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Decoding;

/// <summary>Beam search options. Scores are sums of log-probabilities (no length normalisation).</summary>
/// <param name="BeamSize">hypotheses kept per sentence at each step</param>
/// <param name="MaxSteps">the step limit: hypotheses still open then are final</param>
/// <param name="StopAtEos">stop once every sentence's beam has finished (false: run all MaxSteps steps)</param>
/// <param name="Shards">how many shards of sentences decode at once (<see cref="DecodeShards"/>); 0 = one per core with at least 64 hypotheses each, for models whose output layer fits in cache. The result is the same whatever it is.</param>
/// <param name="SentenceSteps">each sentence's own step limit (at most <see cref="MaxSteps"/>; null: MaxSteps for all): after step SentenceSteps[b] sentence b's hypotheses are final (they continue with EOS at zero cost, as finished ones do), so its result is what it would be decoded alone with that limit, whatever its batch</param>
internal sealed record BeamOptions(int BeamSize = 5, int MaxSteps = 100, bool StopAtEos = true, int Shards = 0, IReadOnlyList<int>? SentenceSteps = null);

/// <summary>
/// All K hypotheses per sentence, best first: Tokens [B][K][steps] (a finished hypothesis continues with
/// EOS at zero cost), Scores [B][K], and attention weights per hypothesis [B][K] → [steps, S] flattened (null without attention).
/// </summary>
internal sealed record BeamResult(int[][][] Tokens, double[][] Scores, float[][][]? Weights);

/// <summary>
/// Batched beam search: the K hypotheses of every sentence are rows b·K + k of one decoder batch. At each
/// step the top K of the K·V extensions of a sentence survive; a hypothesis that emitted EOS can only be
/// extended by EOS, at zero cost.
/// </summary>
internal static class BeamSearch
{
    public static BeamResult Decode(Seq2Seq model, ReadOnlySpan<int> src, int batch, ReadOnlySpan<int> srcLengths, BeamOptions options)
    {
        using var noGrad = GradMode.Off();
        DecodeShards.CheckSentenceSteps(options.SentenceSteps, batch, options.MaxSteps);
        var parts = DecodeShards.EncodeAndDecode(model, src, batch, srcLengths, options.BeamSize, options.Shards,
            (ctx, state, n, shard) => DecodeShard(model, ctx, state, n, options, shard));
        return parts.Length == 1 ? parts[0] : new BeamResult(parts.SelectMany(p => p.Tokens).ToArray(), parts.SelectMany(p => p.Scores).ToArray(),
            parts[0].Weights is null ? null : parts.SelectMany(p => p.Weights!).ToArray());
    }

    /// <summary>The steps of beam search for <paramref name="batch"/> sentences from their encoded context and initial state.</summary>
    private static BeamResult DecodeShard(Seq2Seq model, DecoderContext ctx0, DecoderState state0, int batch, BeamOptions options, Shard shard)
    {
        int k = options.BeamSize, eos = model.Config.EosId, v = model.Config.TargetVocab;
        var dec = model.Decoder;
        var expand = new int[batch * k];
        for (int i = 0; i < expand.Length; i++) expand[i] = i / k;
        var ctx = ctx0.RepeatEach(k);
        var state = state0.SelectRows(expand);
        int s = ctx.Memory?.SourceLength ?? 0;

        int rows = batch * k;
        var scores = new double[rows];
        for (int i = 0; i < scores.Length; i++) scores[i] = i % k == 0 ? 0 : double.NegativeInfinity;
        var finished = new bool[rows];
        var y = new int[rows];
        Array.Fill(y, model.Config.BosId);
        // Back-pointers per step (the row each survivor extends, and its token) and the attention
        // weights each row had at that step: the hypotheses are read back once at the end, so a step
        // costs O(rows), not O(rows · steps) list copies.
        var fromPerStep = new List<int[]>();
        var tokPerStep = new List<int[]>();
        var attnPerStep = new List<float[]>();

        var newScores = new double[rows];
        for (int t = 0; t < options.MaxSteps; t++)
        {
            var from = new int[rows];
            var newFinished = new bool[rows];
            var tok = new int[rows];
            using (var stepScope = TensorScope.Begin())
            {
                var step = dec.Step(dec.EmbedStep(y), state, ctx);
                var logp = Ops.LogSoftmaxInPlace(dec.Logits(step.Readout)); // the logits are read by nothing else
                SelectSurvivors(logp, scores, finished, batch, k, eos, from, newScores, tok, newFinished);
                StopAtLimits(t, options.SentenceSteps, shard.First, batch, k, newFinished);
                if (step.Weights is not null) attnPerStep.Add(step.Weights.ToArray());
                var next = step.State.SelectRows(from).PromoteToOuterScope();
                // The state a step made is read by the next step only (no graph while decoding); the first one is
                // the expanded initial state, a copy too.
                state.FreeValues();
                state = next;
            }
            fromPerStep.Add(from);
            tokPerStep.Add(tok);
            Array.Copy(tok, y, rows);
            finished = newFinished;
            Array.Copy(newScores, scores, scores.Length);
            if (options.StopAtEos && shard.StopAtEos(t, finished.All(f => f))) break;
        }

        return Backtrack(batch, k, s, scores, fromPerStep, tokPerStep, ctx.Memory is null ? null : attnPerStep);
    }

    /// <summary>
    /// One step's survivors from the rows' log-probabilities <paramref name="logp"/> [B·K, V]: for each sentence the
    /// top K of its K·V extensions (<see cref="SelectTopK"/>; −∞ ones by index when fewer are finite), written as
    /// the row each extends, its score, its token and whether it has finished. Sentences are independent: each
    /// chunk of them selects its survivors with its own scratch.
    /// </summary>
    internal static void SelectSurvivors(Tensor logp, double[] scores, bool[] finished, int batch, int k, int eos,
        int[] from, double[] newScores, int[] tok, bool[] newFinished)
    {
        int v = logp.Shape[^1];
        RowParallel.For(batch, k * v, RowParallel.TwoChunksPerThread(batch), (_, lo, hi) =>
        {
            var bestScore = new double[k];
            var bestIndex = new int[k];
            for (int b = lo; b < hi; b++)
            {
                int filled = SelectTopK(logp.Data, scores, finished, b, k, v, eos, bestScore, bestIndex);
                for (int j = 0; j < k; j++)
                {
                    // Fewer than K finite extensions: the remaining survivors are −∞ (as a full sort gives them, lowest index first).
                    int index = j < filled ? bestIndex[j] : NthInfinite(logp.Data, scores, finished, b, k, v, eos, j - filled);
                    int row = b * k + j, src0 = b * k + index / v, w = index % v;
                    from[row] = src0;
                    newScores[row] = j < filled ? bestScore[j] : double.NegativeInfinity;
                    tok[row] = w;
                    newFinished[row] = finished[src0] || w == eos;
                }
            }
        });
    }

    /// <summary>
    /// Marks final every hypothesis of the sentences whose own step limit is step <paramref name="t"/> (0-based)
    /// or earlier: sentence <paramref name="first"/> + b's rows b·K.. when limits[first + b] ≤ t + 1. A final
    /// hypothesis only continues with EOS at zero cost, so the sentence's survivors, their order and scores stay
    /// those of its last step, as if its search had stopped there.
    /// </summary>
    internal static void StopAtLimits(int t, IReadOnlyList<int>? limits, int first, int batch, int k, bool[] finished)
    {
        if (limits is null) return;
        for (int b = 0; b < batch; b++)
            if (limits[first + b] <= t + 1)
                Array.Fill(finished, true, b * k, k);
    }

    /// <summary>
    /// The hypotheses of the final rows (sentence b's are rows b·K..b·K+K−1, best first), read back through the
    /// steps' back-pointers: the survivor in row r at step i extended row from[i][r] by token tok[i][r], and had
    /// that row's attention weights attn[i][from · S ..] at that step (no weights when <paramref name="attnPerStep"/> is null).
    /// </summary>
    internal static BeamResult Backtrack(int batch, int k, int s, double[] scores, List<int[]> fromPerStep, List<int[]> tokPerStep, List<float[]>? attnPerStep)
    {
        int steps = fromPerStep.Count;
        var tokens = new int[batch][][];
        var outScores = new double[batch][];
        var weights = attnPerStep is null ? null : new float[batch][][];
        for (int b = 0; b < batch; b++)
        {
            tokens[b] = new int[k][];
            outScores[b] = new double[k];
            if (weights is not null) weights[b] = new float[k][];
            for (int j = 0; j < k; j++)
            {
                int row = b * k + j;
                var toks = new int[steps];
                var att = weights is null ? null : new float[steps * s];
                // Walk the back-pointers from the last step: the survivor in row r at step i came from from[i][r].
                for (int i = steps - 1, r = row; i >= 0; i--)
                {
                    toks[i] = tokPerStep[i][r];
                    int prev = fromPerStep[i][r];
                    if (att is not null) Array.Copy(attnPerStep![i], prev * s, att, i * s, s);
                    r = prev;
                }
                tokens[b][j] = toks;
                outScores[b][j] = scores[row];
                if (weights is not null) weights[b][j] = att!;
            }
        }
        return new BeamResult(tokens, outScores, weights);
    }

    /// <summary>Score of extending row <paramref name="row"/> by word <paramref name="w"/>: a finished hypothesis only by EOS, at zero cost.</summary>
    private static double Extension(ReadOnlySpan<float> logp, double[] scores, bool[] finished, int row, int w, int v, int eos) =>
        scores[row] + (finished[row] ? (w == eos ? 0 : double.NegativeInfinity) : logp[row * v + w]);

    /// <summary>
    /// The best K of sentence <paramref name="b"/>'s K·V finite extensions into <paramref name="bestScore"/> /
    /// <paramref name="bestIndex"/> (flat index kk·V + w), best first, ties to the lower index: the order of a
    /// full sort, by one pass that keeps a sorted list of K. Returns how many finite extensions were found (≤ K).
    /// </summary>
    internal static int SelectTopK(ReadOnlySpan<float> logp, double[] scores, bool[] finished, int b, int k, int v, int eos,
        double[] bestScore, int[] bestIndex)
    {
        int filled = 0;
        for (int kk = 0; kk < k; kk++)
        {
            int row = b * k + kk;
            if (double.IsNegativeInfinity(scores[row]) && !finished[row]) continue; // every extension is −∞
            if (finished[row])
            {
                // Its only finite extension is EOS, at zero cost.
                Offer(Extension(logp, scores, finished, row, eos, v, eos), kk * v + eos, k, ref filled, bestScore, bestIndex);
                continue;
            }
            var lp = logp.Slice(row * v, v);
            for (int w = 0; w < v; w++)
            {
                if (filled == k)
                {
                    // Skip, 16 at a time, the words that cannot beat the K-th best (Offer makes the exact test).
                    w += FirstAtLeast.Of(lp[w..], Threshold(bestScore[k - 1], scores[row]));
                    if (w == v) break;
                }
                Offer(Extension(logp, scores, finished, row, w, v, eos), kk * v + w, k, ref filled, bestScore, bestIndex);
            }
        }
        return filled;
    }

    /// <summary>
    /// Inserts a finite extension into the sorted best list if it belongs there. Offered in increasing flat
    /// index, so an equal score never displaces an earlier one.
    /// </summary>
    private static void Offer(double sc, int index, int k, ref int filled, double[] bestScore, int[] bestIndex)
    {
        if (double.IsNegativeInfinity(sc)) return;
        if (filled == k && !(sc > bestScore[k - 1])) return;
        int pos = filled < k ? filled++ : k - 1;
        while (pos > 0 && sc > bestScore[pos - 1])
        {
            bestScore[pos] = bestScore[pos - 1];
            bestIndex[pos] = bestIndex[pos - 1];
            pos--;
        }
        bestScore[pos] = sc;
        bestIndex[pos] = index;
    }

    /// <summary>
    /// A float t such that a log-probability below t cannot give an extension above <paramref name="kth"/>:
    /// score + lp is computed in double, so t stays under kth − score by far more than that sum's rounding.
    /// </summary>
    internal static float Threshold(double kth, double score)
    {
        double exact = kth - score;
        exact -= 1e-9 * (1 + Math.Abs(kth) + Math.Abs(score));
        float t = (float)exact;
        return t > exact ? MathF.BitDecrement(t) : t;
    }

    /// <summary>The flat index of the <paramref name="n"/>-th (0-based, by index) −∞ extension of sentence <paramref name="b"/>.</summary>
    private static int NthInfinite(ReadOnlySpan<float> logp, double[] scores, bool[] finished, int b, int k, int v, int eos, int n)
    {
        for (int kk = 0; kk < k; kk++)
            for (int w = 0; w < v; w++)
                if (double.IsNegativeInfinity(Extension(logp, scores, finished, b * k + kk, w, v, eos)) && n-- == 0) return kk * v + w;
        throw new InvalidOperationException("beam search: fewer than K extensions");
    }
}
