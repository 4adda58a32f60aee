using Attend.Model;
using Attend.Tensors;

namespace Attend.Decoding;

/// <summary>
/// Greedy decoding with several models at once: at each step every model runs one decoder step on the
/// shared previous token, their log-probabilities are averaged, and the argmax of the average is fed
/// back to all of them. Attention is the first attentional model's. The models must share vocabularies.
/// </summary>
internal static class EnsembleGreedy
{
    /// <summary>
    /// Hypotheses for a padded batch (ids without BOS/EOS): Tokens [B][≤ steps[b]] (EOS excluded), LogProb under the
    /// average. Sentence b stops after its own step limit <paramref name="steps"/>[b], as it would alone.
    /// </summary>
    public static Hypothesis[] Decode(IReadOnlyList<Seq2Seq> models, Seq2SeqBatch batch, IReadOnlyList<int> steps)
    {
        DecodeShards.CheckSentenceSteps(steps, batch.Batch, steps.Max());
        using var noGrad = GradMode.Off();
        int b = batch.Batch, s = batch.SourceLength, v = models[0].Config.TargetVocab, eos = models[0].Config.EosId;
        var encoded = models.Select(m => DecodeShards.Encode(m, batch.Source, b, batch.SourceLengths)).ToArray();
        var packed = models.Select((m, i) => DecodeShards.HoldStepWeights(m, encoded[i].Context, b)).ToArray();
        try { return Search(models, batch, steps, encoded, b, s, v, eos); }
        finally
        {
            foreach (var p in packed) p?.Dispose();
        }
    }

    private static Hypothesis[] Search(IReadOnlyList<Seq2Seq> models, Seq2SeqBatch batch, IReadOnlyList<int> steps,
        (DecoderContext Context, DecoderState State)[] encoded, int b, int s, int v, int eos)
    {
        var states = encoded.Select(e => e.State).ToArray();
        var contexts = encoded.Select(e => e.Context).ToArray();
        var stepped = new DecoderStep[models.Count];
        var y = new int[b];
        Array.Fill(y, models[0].Config.BosId);
        var finished = new bool[b];
        var tokens = Enumerable.Range(0, b).Select(_ => new List<int>()).ToArray();
        var logp = new double[b];
        var attention = Enumerable.Range(0, b).Select(_ => new List<float[]>()).ToArray();
        var best = new int[b];
        var bestLogp = new float[b];
        int maxSteps = steps.Max();
        for (int t = 0; t < maxSteps && !finished.All(f => f); t++)
        {
            // Each step in its own scope: only the new states outlive it.
            using (TensorScope.Begin())
            {
                var mean = EnsembleBeam.MeanStep(models, y, states, contexts, stepped);
                for (int m = 0; m < models.Count; m++)
                {
                    // A state a step made is read by the next step only; the initial one may share the encoder's tensors.
                    if (t > 0) states[m].FreeValues();
                    states[m] = stepped[m].State.PromoteToOuterScope();
                }
                // Attention is the first attentional model's.
                if (stepped.FirstOrDefault(st => st.Weights is not null)?.Weights is { } w)
                    for (int r = 0; r < b; r++)
                        if (!finished[r]) attention[r].Add(w.Data.Slice(r * s, s).ToArray());
                Ops.ArgMaxRows(mean, best);
                for (int r = 0; r < b; r++) bestLogp[r] = mean.Data[r * v + best[r]];
            }
            for (int r = 0; r < b; r++)
            {
                if (finished[r]) continue;
                y[r] = best[r];
                logp[r] += bestLogp[r];
                if (best[r] == eos) finished[r] = true;
                else tokens[r].Add(best[r]);
                if (t + 1 >= steps[r]) finished[r] = true;
            }
        }
        return Enumerable.Range(0, b).Select(r =>
        {
            float[,]? att = null;
            if (attention[r].Count > 0)
            {
                att = new float[attention[r].Count, batch.SourceLengths[r]];
                for (int i = 0; i < attention[r].Count; i++)
                    for (int j = 0; j < batch.SourceLengths[r]; j++) att[i, j] = attention[r][i][j];
            }
            return new Hypothesis(tokens[r].ToArray(), logp[r], logp[r], att);
        }).ToArray();
    }
}
