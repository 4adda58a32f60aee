using Attend.Model;
using Attend.Tensors;

namespace Attend.Decoding;

/// <summary>
/// Beam search with several models at once (OpenNMT's ensemble decoding): the K hypotheses of every sentence
/// are rows b·K + k of each model's decoder batch; at each step every model runs one decoder step on the
/// shared previous tokens, their log-probabilities are averaged, and the top K of the K·V extensions of a
/// sentence under the average survive in every model. Search rules are <see cref="BeamSearch"/>'s (a
/// finished hypothesis continues with EOS at zero cost; ties go to the lower flat index), so one model
/// gives exactly BeamSearch's result. Attention is the first attentional model's. Vocabularies must match.
/// </summary>
public static class EnsembleBeam
{
    public static BeamResult Decode(IReadOnlyList<Seq2Seq> models, ReadOnlySpan<int> src, int batch, ReadOnlySpan<int> srcLengths, BeamOptions options)
    {
        using var noGrad = GradMode.Off();
        int k = options.BeamSize, n = batch * k, eos = models[0].Config.EosId, v = models[0].Config.TargetVocab;
        foreach (var m in models)
            if (m.Config.TargetVocab != v)
                throw new ArgumentException($"ensemble members have target vocabularies of {v} and {m.Config.TargetVocab} entries");
        var expand = new int[n];
        for (int i = 0; i < n; i++) expand[i] = i / k;
        var contexts = new DecoderContext[models.Count];
        var states = new DecoderState[models.Count];
        for (int m = 0; m < models.Count; m++)
        {
            var (ctx0, state0) = models[m].Encode(src, batch, srcLengths);
            contexts[m] = ctx0.RepeatEach(k);
            states[m] = state0.SelectRows(expand);
        }
        int attentional = Array.FindIndex(contexts, c => c.Memory is not null);
        int s = attentional < 0 ? 0 : contexts[attentional].Memory!.SourceLength;

        var scores = new double[n];
        for (int i = 0; i < n; i++) scores[i] = i % k == 0 ? 0 : double.NegativeInfinity;
        var finished = new bool[n];
        var y = new int[n];
        Array.Fill(y, models[0].Config.BosId);
        var hist = new List<int>[n];
        var attn = new List<float[]>[n];
        for (int i = 0; i < n; i++) (hist[i], attn[i]) = ([], []);

        var avg = new double[n * v];
        var cand = new (double Score, int Index)[k * v];
        var from = new int[n];
        var newScores = new double[n];
        var steps = new DecoderStep[models.Count];
        for (int t = 0; t < options.MaxSteps; t++)
        {
            Array.Clear(avg);
            for (int m = 0; m < models.Count; m++)
            {
                var dec = models[m].Decoder;
                steps[m] = dec.Step(dec.EmbedStep(y), states[m], contexts[m]);
                var lp = Ops.LogSoftmaxInPlace(dec.Logits(steps[m].Readout)).Data;
                for (int i = 0; i < avg.Length; i++) avg[i] += lp[i];
            }
            if (models.Count > 1)
                for (int i = 0; i < avg.Length; i++) avg[i] /= models.Count;
            var newFinished = new bool[n];
            for (int b = 0; b < batch; b++)
            {
                for (int kk = 0; kk < k; kk++)
                {
                    int row = b * k + kk;
                    for (int w = 0; w < v; w++)
                    {
                        double lp = finished[row] ? (w == eos ? 0 : double.NegativeInfinity) : avg[row * v + w];
                        cand[kk * v + w] = (scores[row] + lp, kk * v + w);
                    }
                }
                Array.Sort(cand, (p, q) => p.Score != q.Score ? q.Score.CompareTo(p.Score) : p.Index.CompareTo(q.Index));
                for (int j = 0; j < k; j++)
                {
                    int row = b * k + j, src0 = b * k + cand[j].Index / v, tok = cand[j].Index % v;
                    from[row] = src0;
                    newScores[row] = cand[j].Score;
                    y[row] = tok;
                    newFinished[row] = finished[src0] || tok == eos;
                }
            }
            var newHist = new List<int>[n];
            var newAttn = new List<float[]>[n];
            var weights = attentional < 0 ? null : steps[attentional].Weights;
            for (int row = 0; row < n; row++)
            {
                newHist[row] = [.. hist[from[row]], y[row]];
                newAttn[row] = [.. attn[from[row]]];
                if (weights is not null) newAttn[row].Add(weights.Data.Slice(from[row] * s, s).ToArray());
            }
            (hist, attn, finished) = (newHist, newAttn, newFinished);
            Array.Copy(newScores, scores, scores.Length);
            for (int m = 0; m < models.Count; m++) states[m] = steps[m].State.SelectRows(from);
            if (options.StopAtEos && finished.All(f => f)) break;
        }

        var tokens = new int[batch][][];
        var outScores = new double[batch][];
        var outWeights = attentional < 0 ? null : new float[batch][][];
        for (int b = 0; b < batch; b++)
        {
            tokens[b] = new int[k][];
            outScores[b] = new double[k];
            if (outWeights is not null) outWeights[b] = new float[k][];
            for (int j = 0; j < k; j++)
            {
                int row = b * k + j;
                tokens[b][j] = hist[row].ToArray();
                outScores[b][j] = scores[row];
                if (outWeights is not null) outWeights[b][j] = attn[row].SelectMany(a => a).ToArray();
            }
        }
        return new BeamResult(tokens, outScores, outWeights);
    }
}
