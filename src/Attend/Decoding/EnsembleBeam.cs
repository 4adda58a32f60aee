using Attend.Model;
using Attend.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Attend.Decoding;

/// <summary>
/// Beam search with several models at once (OpenNMT's ensemble decoding): the K hypotheses of every sentence
/// are rows b·K + k of each model's decoder batch; at each step every model runs one decoder step on the
/// shared previous tokens, their log-probabilities are averaged, and the top K of the K·V extensions of a
/// sentence under the average survive in every model. Search rules are <see cref="BeamSearch"/>'s (a
/// finished hypothesis continues with EOS at zero cost; ties go to the lower flat index), so one model
/// gives exactly BeamSearch's result. Attention is the first attentional model's. Vocabularies must match.
/// </summary>
internal static class EnsembleBeam
{
    public static BeamResult Decode(IReadOnlyList<Seq2Seq> models, ReadOnlySpan<int> src, int batch, ReadOnlySpan<int> srcLengths, BeamOptions options)
    {
        using var noGrad = GradMode.Off();
        DecodeShards.CheckSentenceSteps(options.SentenceSteps, batch, options.MaxSteps);
        int k = options.BeamSize, n = batch * k, v = models[0].Config.TargetVocab;
        foreach (var m in models)
            if (m.Config.TargetVocab != v)
                throw new ArgumentException($"ensemble members have target vocabularies of {v} and {m.Config.TargetVocab} entries");
        var expand = new int[n];
        for (int i = 0; i < n; i++) expand[i] = i / k;
        var contexts = new DecoderContext[models.Count];
        var states = new DecoderState[models.Count];
        var packed = new PackedWeights?[models.Count];
        try
        {
            for (int m = 0; m < models.Count; m++)
            {
                var (ctx0, state0) = DecodeShards.Encode(models[m], src, batch, srcLengths);
                contexts[m] = ctx0.RepeatEach(k);
                states[m] = state0.SelectRows(expand);
                packed[m] = DecodeShards.HoldStepWeights(models[m], contexts[m], n);
            }
            return Search(models, contexts, states, batch, options);
        }
        finally
        {
            foreach (var p in packed) p?.Dispose();
        }
    }

    private static BeamResult Search(IReadOnlyList<Seq2Seq> models, DecoderContext[] contexts, DecoderState[] states, int batch, BeamOptions options)
    {
        int k = options.BeamSize, n = batch * k, eos = models[0].Config.EosId, v = models[0].Config.TargetVocab;
        int attentional = Array.FindIndex(contexts, c => c.Memory is not null);
        int s = attentional < 0 ? 0 : contexts[attentional].Memory!.SourceLength;

        var scores = new double[n];
        for (int i = 0; i < n; i++) scores[i] = i % k == 0 ? 0 : double.NegativeInfinity;
        var finished = new bool[n];
        var y = new int[n];
        Array.Fill(y, models[0].Config.BosId);
        // Back-pointers and attention per step, read back once at the end (BeamSearch.Backtrack).
        var fromPerStep = new List<int[]>();
        var tokPerStep = new List<int[]>();
        var attnPerStep = new List<float[]>();

        var newScores = new double[n];
        var steps = new DecoderStep[models.Count];
        for (int t = 0; t < options.MaxSteps; t++)
        {
            var from = new int[n];
            var tok = new int[n];
            var newFinished = new bool[n];
            // Each step in its own scope: only the new states outlive it.
            using (TensorScope.Begin())
            {
                var mean = MeanStep(models, y, states, contexts, steps);
                BeamSearch.SelectSurvivors(mean, scores, finished, batch, k, eos, from, newScores, tok, newFinished);
                BeamSearch.StopAtLimits(t, options.SentenceSteps, 0, batch, k, newFinished);
                if (attentional >= 0) attnPerStep.Add(steps[attentional].Weights!.ToArray());
                for (int m = 0; m < models.Count; m++)
                {
                    var next = steps[m].State.SelectRows(from).PromoteToOuterScope();
                    states[m].FreeValues(); // read by this step only; the first is the expanded initial state, a copy
                    states[m] = next;
                }
            }
            fromPerStep.Add(from);
            tokPerStep.Add(tok);
            Array.Copy(tok, y, n);
            finished = newFinished;
            Array.Copy(newScores, scores, n);
            if (options.StopAtEos && finished.All(f => f)) break;
        }
        return BeamSearch.Backtrack(batch, k, s, scores, fromPerStep, tokPerStep, attentional < 0 ? null : attnPerStep);
    }

    /// <summary>
    /// One decoder step of every model on the shared previous tokens <paramref name="y"/> (each step into
    /// <paramref name="steps"/>), and the models' mean log-probabilities [rows, V]: summed into the first model's
    /// (read by nothing else), then divided, in float. Ensemble greedy and beam search average the same way.
    /// </summary>
    internal static Tensor MeanStep(IReadOnlyList<Seq2Seq> models, int[] y, DecoderState[] states, DecoderContext[] contexts, DecoderStep[] steps)
    {
        Tensor? mean = null;
        for (int m = 0; m < models.Count; m++)
        {
            var dec = models[m].Decoder;
            steps[m] = dec.Step(dec.EmbedStep(y), states[m], contexts[m]);
            var lp = Ops.LogSoftmaxInPlace(dec.Logits(steps[m].Readout));
            if (mean is null) mean = lp;
            else TensorPrimitives.Add(mean.Data, lp.Data, mean.Data);
        }
        if (models.Count > 1) TensorPrimitives.Divide(mean!.Data, models.Count, mean.Data);
        return mean!;
    }
}
