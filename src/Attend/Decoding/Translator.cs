using Attend.Evaluation.Alignment;
using Attend.Model;
using Attend.Tensors;
using Attend.Text;

namespace Attend.Decoding;

/// <summary>
/// How <see cref="Translator"/> searches: beam size (1 = greedy), GNMT length penalty α, output length limit, hypotheses
/// kept, sentences per batch, and the longest source <see cref="TextTranslator"/> accepts (in tokens).
/// </summary>
internal sealed record SearchOptions(int BeamSize = 1, double Alpha = 0, double MaxOutputRatio = 1.5, int NBest = 1, int BatchSize = 32,
    int MaxInputTokens = SearchLimits.DefaultMaxInputTokens)
{
    /// <summary>The step limit for a source of <paramref name="sourceLength"/> tokens: ⌈ratio · S⌉ + 10.</summary>
    public int MaxSteps(int sourceLength) => (int)Math.Ceiling(MaxOutputRatio * sourceLength) + 10;

    /// <summary>GNMT's length penalty lp(Y) = ((5 + |Y|) / 6)^α (Wu et al. 2016); the score is log P / lp.</summary>
    public double LengthPenalty(int length) => Alpha == 0 ? 1 : Math.Pow((5.0 + length) / 6.0, Alpha);
}

/// <summary>One output hypothesis: target ids (EOS excluded), raw log-probability, length-normalised score, attention [T, S] (null without attention).</summary>
internal sealed record Hypothesis(int[] Tokens, double LogProb, double Score, float[,]? Attention);

/// <summary>
/// Decodes id sequences in length-sorted batches with greedy search (beam 1) or
/// <see cref="BeamSearch"/> (several models: <see cref="EnsembleGreedy"/> / <see cref="EnsembleBeam"/>), re-ranks beam finals with the GNMT length penalty, and returns for every
/// sentence its n-best hypotheses, best first, each with its attention matrix.
/// </summary>
internal static class Translator
{
    public static List<Hypothesis[]> Decode(Seq2Seq model, IReadOnlyList<int[]> sources, SearchOptions options) =>
        Decode([model], sources, options);

    /// <summary>Several models decode as an ensemble: averaged log-probabilities, greedy or beam.</summary>
    public static List<Hypothesis[]> Decode(IReadOnlyList<Seq2Seq> models, IReadOnlyList<int[]> sources, SearchOptions options)
    {
        var model = models[0];
        var results = new Hypothesis[sources.Count][];
        foreach (var idx in Batches(sources.Select(s => s.Length).ToList(), options.BatchSize))
        {
            using var scope = TensorScope.Begin();
            var batch = Seq2SeqBatch.FromPairs(idx.Select(i => sources[i]).ToList(), idx.Select(_ => Array.Empty<int>()).ToList(),
                model.Config.PadId, model.Config.BosId, model.Config.EosId);
            // Each sentence gets the step limit of its own length, so its output does not depend on its batch.
            var limits = batch.SourceLengths.Select(options.MaxSteps).ToArray();
            var hyps = options.BeamSize > 1 ? DecodeBeam(models, batch, limits, options)
                : models.Count > 1 ? EnsembleGreedy.Decode(models, batch, limits).Select(h => new[] { h }).ToArray()
                : DecodeGreedy(model, batch, limits);
            for (int j = 0; j < idx.Length; j++) results[idx[j]] = hyps[j];
        }
        return [.. results];
    }

    /// <summary>
    /// The attention weights the search holds for sources of these lengths (in tokens), before it keeps the n best:
    /// for each batch <see cref="Decode(IReadOnlyList{Seq2Seq}, IReadOnlyList{int[]}, SearchOptions)"/> forms, sentences × beam × steps × S, where S is the batch's longest source
    /// and steps its step limit (<see cref="SearchOptions.MaxSteps"/>), reached when no hypothesis emits EOS. It
    /// bounds the answer's attention too (n-best ≤ beam, rows ≤ steps, columns ≤ S), so a caller can refuse a
    /// request before decoding it. Zero sources give 0; a model without attention holds none of these.
    /// </summary>
    public static long AttentionWeights(IReadOnlyList<int> sourceLengths, SearchOptions options)
    {
        long total = 0;
        foreach (var idx in Batches(sourceLengths, options.BatchSize))
        {
            int s = idx.Max(i => sourceLengths[i]);
            total += (long)idx.Length * options.BeamSize * options.MaxSteps(s) * s;
        }
        return total;
    }

    /// <summary>The sentences of each decoding batch: indices sorted by source length (stable), cut every <paramref name="batchSize"/>.</summary>
    private static IEnumerable<int[]> Batches(IReadOnlyList<int> lengths, int batchSize)
    {
        var order = Enumerable.Range(0, lengths.Count).OrderBy(i => lengths[i]).ToArray();
        for (int start = 0; start < order.Length; start += batchSize)
            yield return order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
    }

    private static Hypothesis[][] DecodeGreedy(Seq2Seq model, Seq2SeqBatch batch, int[] limits)
    {
        // Each token's log-probability is taken at its step: the [B, steps, V] logits are never kept.
        var r = Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths,
            new GreedyOptions(limits.Max(), KeepLogits: false, ScoreTokens: true, SentenceSteps: limits));
        int s = batch.SourceLength, t = r.Weights?.Shape[1] ?? 0; // steps run (a sentence that ended early has fewer tokens)
        var output = new Hypothesis[batch.Batch][];
        for (int b = 0; b < batch.Batch; b++)
        {
            var toks = r.Tokens[b];
            double logp = 0;
            foreach (float lp in r.TokenLogProbs![b]) logp += lp;
            int n = Content(toks, model.Config.EosId);
            var att = r.Weights is null ? null : Matrix(r.Weights.Data.Slice(b * t * s, t * s), toks.Length, s, batch.SourceLengths[b]);
            output[b] = [new Hypothesis(toks[..n], logp, logp, att)];
        }
        return output;
    }

    private static Hypothesis[][] DecodeBeam(IReadOnlyList<Seq2Seq> models, Seq2SeqBatch batch, int[] limits, SearchOptions options)
    {
        var model = models[0];
        var beam = new BeamOptions(options.BeamSize, limits.Max(), SentenceSteps: limits);
        var r = models.Count > 1 ? EnsembleBeam.Decode(models, batch.Source, batch.Batch, batch.SourceLengths, beam)
            : BeamSearch.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, beam);
        int s = batch.SourceLength;
        var output = new Hypothesis[batch.Batch][];
        for (int b = 0; b < batch.Batch; b++)
        {
            var all = new List<Hypothesis>();
            for (int k = 0; k < options.BeamSize; k++)
            {
                var toks = r.Tokens[b][k];
                if (double.IsNegativeInfinity(r.Scores[b][k])) continue;
                int n = Content(toks, model.Config.EosId);
                // The length that is penalised counts the EOS, as GNMT and Joey NMT do (none when the sentence's
                // limit cut it; the steps after that limit only append EOS).
                int len = Math.Min(n + 1, limits[b]);
                var att = r.Weights is null ? null : Matrix(r.Weights[b][k], Math.Min(len, r.Weights[b][k].Length / Math.Max(s, 1)), s, batch.SourceLengths[b]);
                all.Add(new Hypothesis(toks[..n], r.Scores[b][k], r.Scores[b][k] / options.LengthPenalty(len), att));
            }
            output[b] = all.OrderByDescending(h => h.Score).Take(options.NBest).ToArray();
        }
        return output;
    }

    /// <summary>Number of tokens before the first EOS.</summary>
    private static int Content(int[] toks, int eos)
    {
        int i = Array.IndexOf(toks, eos);
        return i < 0 ? toks.Length : i;
    }

    /// <summary>Rows [rows, srcLen] of a flattened [*, s] attention block (padding columns dropped).</summary>
    private static float[,] Matrix(ReadOnlySpan<float> flat, int rows, int s, int srcLen)
    {
        var m = new float[rows, srcLen];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < srcLen; j++) m[i, j] = flat[i * s + j];
        return m;
    }

    internal static double LogSoftmaxAt(ReadOnlySpan<float> logits, int index)
    {
        double max = double.NegativeInfinity;
        foreach (var x in logits) max = Math.Max(max, x);
        double sum = 0;
        foreach (var x in logits) sum += Math.Exp(x - max);
        return logits[index] - max - Math.Log(sum);
    }

    /// <summary>
    /// Luong et al.'s unknown-word replacement: every <c>&lt;unk&gt;</c> in the output becomes the source token
    /// it attended to most.
    /// </summary>
    public static List<string> ReplaceUnknowns(List<string> output, IReadOnlyList<string> source, float[,]? attention, int[] ids)
    {
        if (attention is null) return output;
        var result = new List<string>(output.Count);
        for (int t = 0; t < output.Count; t++)
        {
            if (ids[t] != Vocabulary.Unk || t >= attention.GetLength(0)) { result.Add(output[t]); continue; }
            result.Add(source[HardAlignment.MostAttended(attention, t)]);
        }
        return result;
    }

    /// <summary>Hard alignments in Pharaoh format ("srcIndex-tgtIndex", 0-based): each target token to its most-attended source token.</summary>
    public static string Pharaoh(float[,]? attention, int targetLength)
    {
        if (attention is null) return "";
        var links = new List<string>();
        for (int t = 0; t < Math.Min(targetLength, attention.GetLength(0)); t++)
            links.Add($"{HardAlignment.MostAttended(attention, t)}-{t}");
        return string.Join(' ', links);
    }
}
