using Attend.Model;
using Attend.Tensors;

namespace Attend.Decoding;

/// <summary>Beam search options. Scores are sums of log-probabilities (no length normalisation).</summary>
public sealed record BeamOptions(int BeamSize = 5, int MaxSteps = 100, bool StopAtEos = true);

/// <summary>
/// All K hypotheses per sentence, best first: Tokens [B][K][steps] (a finished hypothesis continues with
/// EOS at zero cost), Scores [B][K], and attention weights per hypothesis [B][K] → [steps, S] flattened (null without attention).
/// </summary>
public sealed record BeamResult(int[][][] Tokens, double[][] Scores, float[][][]? Weights);

/// <summary>
/// Batched beam search: the K hypotheses of every sentence are rows b·K + k of one decoder batch. At each
/// step the top K of the K·V extensions of a sentence survive; a hypothesis that emitted EOS can only be
/// extended by EOS, at zero cost.
/// </summary>
public static class BeamSearch
{
    public static BeamResult Decode(Seq2Seq model, ReadOnlySpan<int> src, int batch, ReadOnlySpan<int> srcLengths, BeamOptions options)
    {
        using var noGrad = GradMode.Off();
        int k = options.BeamSize, eos = model.Config.EosId, v = model.Config.TargetVocab;
        var dec = model.Decoder;
        var (ctx0, state0) = model.Encode(src, batch, srcLengths);
        var expand = new int[batch * k];
        for (int i = 0; i < expand.Length; i++) expand[i] = i / k;
        var ctx = ctx0.SelectRows(expand);
        var state = state0.SelectRows(expand);
        int s = ctx.Memory?.SourceLength ?? 0;

        var scores = new double[batch * k];
        for (int i = 0; i < scores.Length; i++) scores[i] = i % k == 0 ? 0 : double.NegativeInfinity;
        var finished = new bool[batch * k];
        var y = new int[batch * k];
        Array.Fill(y, model.Config.BosId);
        var hist = new List<int>[batch * k];
        var attn = new List<float[]>[batch * k];
        for (int i = 0; i < hist.Length; i++) (hist[i], attn[i]) = ([], []);

        var cand = new (double Score, int Index)[k * v];
        var from = new int[batch * k];
        var newScores = new double[batch * k];
        for (int t = 0; t < options.MaxSteps; t++)
        {
            var step = dec.Step(dec.EmbedStep(y), state, ctx);
            var logp = Ops.LogSoftmax(dec.Logits(step.Readout)).Data;
            var newFinished = new bool[batch * k];
            for (int b = 0; b < batch; b++)
            {
                for (int kk = 0; kk < k; kk++)
                {
                    int row = b * k + kk;
                    for (int w = 0; w < v; w++)
                    {
                        double lp = finished[row] ? (w == eos ? 0 : double.NegativeInfinity) : logp[row * v + w];
                        cand[kk * v + w] = (scores[row] + lp, kk * v + w);
                    }
                }
                // Best first; ties go to the lower flat index so the order is deterministic.
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
            var newHist = new List<int>[batch * k];
            var newAttn = new List<float[]>[batch * k];
            for (int row = 0; row < batch * k; row++)
            {
                newHist[row] = [.. hist[from[row]], y[row]];
                newAttn[row] = [.. attn[from[row]]];
                if (step.Weights is not null) newAttn[row].Add(step.Weights.Data.Slice(from[row] * s, s).ToArray());
            }
            (hist, attn, finished) = (newHist, newAttn, newFinished);
            Array.Copy(newScores, scores, scores.Length);
            state = step.State.SelectRows(from);
            if (options.StopAtEos && finished.All(f => f)) break;
        }

        var tokens = new int[batch][][];
        var outScores = new double[batch][];
        var weights = ctx.Memory is null ? null : new float[batch][][];
        for (int b = 0; b < batch; b++)
        {
            tokens[b] = new int[k][];
            outScores[b] = new double[k];
            if (weights is not null) weights[b] = new float[k][];
            for (int j = 0; j < k; j++)
            {
                int row = b * k + j;
                tokens[b][j] = hist[row].ToArray();
                outScores[b][j] = scores[row];
                if (weights is not null) weights[b][j] = attn[row].SelectMany(a => a).ToArray();
            }
        }
        return new BeamResult(tokens, outScores, weights);
    }
}
