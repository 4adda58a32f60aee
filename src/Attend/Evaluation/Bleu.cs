using Attend.Evaluation.Tokenizers;

namespace Attend.Evaluation;

/// <summary>
/// BLEU exactly as sacreBLEU 2.6.0 computes it (metrics/bleu.py): per-segment clipped n-gram statistics against
/// the per-n-gram maximum over references, the closest reference length (ties to the shorter), corpus sums, then
/// one brevity penalty and smoothed geometric mean, in sacreBLEU's order of floating-point operations.
/// </summary>
public sealed class Bleu(BleuConfig config)
{
    /// <summary>The tokenizer, case and smoothing this scorer uses.</summary>
    public BleuConfig Config { get; } = config;

    /// <summary>sacreBLEU's <c>_preprocess_segment</c>: lowercase, then rstrip, then tokenize.</summary>
    public string Preprocess(string segment)
    {
        if (Config.Lowercase) segment = PyText.Lower(segment);
        return BleuTokenizers.Tokenize(Config.Tokenize, PyText.RStrip(segment));
    }

    /// <summary>Corpus BLEU. <paramref name="refStreams"/>: one list per reference stream, each as long as the hypotheses.</summary>
    public BleuScore Corpus(IReadOnlyList<string> hyps, IReadOnlyList<IReadOnlyList<string>> refStreams)
    {
        EvaluationInput.CheckParallel(hyps, refStreams);
        var sum = new BleuStats();
        for (int i = 0; i < hyps.Count; i++) sum.Add(SegmentStats(hyps[i], refStreams.Select(r => r[i]).ToArray()));
        return Compute(sum, refStreams.Count);
    }

    /// <summary>One segment's BLEU (use <c>EffectiveOrder = true</c> to match <c>sacrebleu.sentence_bleu</c>).</summary>
    public BleuScore Sentence(string hyp, IReadOnlyList<string> refs) => Compute(SegmentStats(hyp, refs), refs.Count);

    internal BleuStats SegmentStats(string hyp, IReadOnlyList<string> refs)
    {
        Dictionary<string, int>[]? maxRef = null;
        var refLens = new int[refs.Count];
        for (int r = 0; r < refs.Count; r++)
        {
            var (grams, len) = NGrams(Preprocess(refs[r]));
            refLens[r] = len;
            if (maxRef is null) { maxRef = grams; continue; }
            for (int n = 0; n < grams.Length; n++)
                foreach (var (g, c) in grams[n])
                    maxRef[n][g] = Math.Max(maxRef[n].GetValueOrDefault(g), c);
        }
        var (hypGrams, hypLen) = NGrams(Preprocess(hyp));
        var stats = new BleuStats { SysLen = hypLen, RefLen = ClosestRefLen(hypLen, refLens) };
        for (int n = 0; n < hypGrams.Length; n++)
            foreach (var (g, c) in hypGrams[n])
            {
                stats.Total[n] += c;
                if (maxRef != null && maxRef[n].TryGetValue(g, out int rc)) stats.Correct[n] += Math.Min(c, rc);
            }
        return stats;
    }

    /// <summary>The reference length closest to the hypothesis length; a tie goes to the shorter reference.</summary>
    public static int ClosestRefLen(int hypLen, IReadOnlyList<int> refLens)
    {
        int bestDiff = -1, best = -1;
        foreach (int len in refLens)
        {
            int diff = Math.Abs(hypLen - len);
            if (bestDiff == -1 || diff < bestDiff) { bestDiff = diff; best = len; }
            else if (diff == bestDiff && len < best) best = len;
        }
        return best;
    }

    private static (Dictionary<string, int>[] Grams, int Length) NGrams(string tokenized)
    {
        var tokens = PyText.Split(tokenized).ToArray();
        var grams = new Dictionary<string, int>[BleuConfig.MaxOrder];
        for (int n = 1; n <= BleuConfig.MaxOrder; n++)
        {
            var d = grams[n - 1] = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i + n <= tokens.Length; i++)
            {
                string key = n == 1 ? tokens[i] : string.Join(' ', tokens, i, n);
                d[key] = d.GetValueOrDefault(key) + 1;
            }
        }
        return (grams, tokens.Length);
    }

    /// <summary>sacreBLEU's <c>compute_bleu</c> on (summed) statistics.</summary>
    internal BleuScore Compute(BleuStats stats, int numRefs)
    {
        const int N = BleuConfig.MaxOrder;
        double[] correct = stats.Correct.Select(c => (double)c).ToArray();
        double[] total = stats.Total.Select(c => (double)c).ToArray();
        double smoothValue = Config.ResolvedSmoothValue ?? 0.0;
        long sysLen = stats.SysLen, refLen = stats.RefLen;
        string signature = Config.Signature(numRefs);

        double bp = sysLen < refLen ? (sysLen > 0 ? Math.Exp(1.0 - (double)refLen / sysLen) : 0.0) : 1.0;
        var precisions = new double[N];
        // No match at any order: score 0 at once (sacreBLEU #141), before add-k touches the counts.
        if (correct.All(c => c == 0))
            return new BleuScore(0.0, correct, total, precisions, bp, sysLen, refLen, signature);

        double smoothMteval = 1.0;
        int effOrder = N;
        for (int n = 1; n <= N; n++)
        {
            if (Config.Smooth == SmoothMethod.AddK && n > 1)
            {
                correct[n - 1] += smoothValue;
                total[n - 1] += smoothValue;
            }
            if (total[n - 1] == 0) break;
            if (Config.EffectiveOrder) effOrder = n;
            if (correct[n - 1] == 0)
            {
                if (Config.Smooth == SmoothMethod.Exp)
                {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1]);
                }
                else if (Config.Smooth == SmoothMethod.Floor)
                {
                    precisions[n - 1] = 100.0 * smoothValue / total[n - 1];
                }
            }
            else precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
        }

        double logSum = 0.0;
        for (int n = 0; n < effOrder; n++) logSum += MyLog(precisions[n]);
        double score = bp * Math.Exp(logSum / effOrder);
        return new BleuScore(score, correct, total, precisions, bp, sysLen, refLen, signature);
    }

    // sacreBLEU's utils.my_log: log(0) is a huge negative number, not -inf, so exp() gives exactly 0.
    private static double MyLog(double x) => x == 0 ? -9999999999.0 : Math.Log(x);
}
