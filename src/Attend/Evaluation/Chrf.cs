using System.Globalization;

namespace Attend.Evaluation;

/// <summary>chrF configuration, sacreBLEU defaults: 6 character orders, 0 word orders (2 gives chrF++), beta 2.</summary>
public sealed record ChrfConfig(
    int CharOrder = 6, int WordOrder = 0, int Beta = 2, bool Lowercase = false, bool Whitespace = false,
    bool EpsSmoothing = false)
{
    /// <summary>Character and word orders together.</summary>
    public int Order => CharOrder + WordOrder;

    /// <summary>sacreBLEU's metric name: chrF2, or chrF2++ with two word orders.</summary>
    public string Name => $"chrF{Beta}" + new string('+', WordOrder);

    /// <summary>sacreBLEU's signature of this configuration with <paramref name="numRefs"/> references.</summary>
    public string Signature(int numRefs) =>
        $"nrefs:{numRefs}|case:{(Lowercase ? "lc" : "mixed")}|eff:{(EpsSmoothing ? "no" : "yes")}" +
        $"|nc:{CharOrder}|nw:{WordOrder}|space:{(Whitespace ? "yes" : "no")}|version:{BleuConfig.SacreBleuVersion}";
}

/// <summary>A chrF result. <see cref="Stats"/>: [hyp, ref, match] per order, character orders first, then word orders.</summary>
public sealed record ChrfScore(double Score, long[] Stats, string Name, string Signature)
{
    /// <summary>sacreBLEU's one-line result, <c>chrF2|nrefs:1|… = 57.12</c>, with <paramref name="width"/> decimals.</summary>
    public string Format(int width = 2) =>
        $"{Name}|{Signature} = {Score.ToString("F" + width, CultureInfo.InvariantCulture)}";
}

/// <summary>
/// chrF and chrF++ as sacreBLEU 2.6.0 computes them (metrics/chrf.py): code-point character n-grams with
/// whitespace removed, optional word n-grams after its one-punctuation-mark split, per-segment best reference
/// (strict &gt;, first wins a tie), corpus score from summed statistics.
/// </summary>
public sealed class Chrf(ChrfConfig config)
{
    private static readonly string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>The orders, β and case this scorer uses.</summary>
    public ChrfConfig Config { get; } = config;

    /// <summary>Corpus chrF. <paramref name="refStreams"/>: one list per reference stream, each as long as the hypotheses.</summary>
    public ChrfScore Corpus(IReadOnlyList<string> hyps, IReadOnlyList<IReadOnlyList<string>> refStreams)
    {
        EvaluationInput.CheckParallel(hyps, refStreams);
        var sum = new long[3 * Config.Order];
        for (int i = 0; i < hyps.Count; i++)
        {
            long[] s = SegmentStats(hyps[i], refStreams.Select(r => r[i]).ToArray());
            for (int k = 0; k < sum.Length; k++) sum[k] += s[k];
        }
        return new ChrfScore(FScore(sum), sum, Config.Name, Config.Signature(refStreams.Count));
    }

    /// <summary>One segment's chrF against its best reference.</summary>
    public ChrfScore Sentence(string hyp, IReadOnlyList<string> refs)
    {
        long[] s = SegmentStats(hyp, refs);
        return new ChrfScore(FScore(s), s, Config.Name, Config.Signature(refs.Count));
    }

    /// <summary>Statistics of the reference with the best sentence chrF.</summary>
    internal long[] SegmentStats(string hyp, IReadOnlyList<string> refs)
    {
        var hypGrams = Extract(Preprocess(hyp));
        long[] best = new long[3 * Config.Order];
        double bestF = -1.0;
        foreach (string r in refs)
        {
            long[] stats = Match(hypGrams, Extract(Preprocess(r)));
            double f = FScore(stats);
            if (f > bestF) { bestF = f; best = stats; }
        }
        return best;
    }

    private string Preprocess(string s) => Config.Lowercase ? PyText.Lower(s) : s;

    private Dictionary<string, int>[] Extract(string line)
    {
        var all = new Dictionary<string, int>[Config.Order];
        string chars = Config.Whitespace ? line : string.Concat(PyText.Split(line));
        // UTF-16 offset of every code point, so an n-gram of n code points is one substring.
        var offsets = new List<int>(chars.Length + 1);
        for (int i = 0; i < chars.Length; i++)
        {
            offsets.Add(i);
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) i++;
        }
        offsets.Add(chars.Length);
        int len = offsets.Count - 1;
        for (int n = 1; n <= Config.CharOrder; n++)
        {
            var d = all[n - 1] = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i + n <= len; i++)
            {
                string g = chars.Substring(offsets[i], offsets[i + n] - offsets[i]);
                d[g] = d.GetValueOrDefault(g) + 1;
            }
        }
        if (Config.WordOrder > 0)
        {
            var words = RemovePunctuation(line).ToArray();
            for (int n = 1; n <= Config.WordOrder; n++)
            {
                var d = all[Config.CharOrder + n - 1] = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int i = 0; i + n <= words.Length; i++)
                {
                    string g = string.Join(' ', words, i, n);
                    d[g] = d.GetValueOrDefault(g) + 1;
                }
            }
        }
        return all;
    }

    /// <summary>
    /// sacreBLEU's <c>_remove_punctuation</c>: a word longer than one code point loses one ASCII punctuation mark,
    /// the trailing one if any, otherwise a leading one; so <c>(hi)</c> becomes <c>(hi</c> and <c>)</c>.
    /// </summary>
    internal static List<string> RemovePunctuation(string sentence)
    {
        var result = new List<string>();
        foreach (string w in PyText.Split(sentence))
        {
            if (PyText.Length(w) == 1) { result.Add(w); continue; }
            // Punctuation is ASCII, so a surrogate at either end never matches and char indexing is safe.
            if (AsciiPunctuation.Contains(w[^1])) { result.Add(w[..^1]); result.Add(w[^1..]); }
            else if (AsciiPunctuation.Contains(w[0])) { result.Add(w[..1]); result.Add(w[1..]); }
            else result.Add(w);
        }
        return result;
    }

    // Per order [hyp, ref, match]; an order with no reference n-grams is recorded as all zeros.
    private long[] Match(Dictionary<string, int>[] hyp, Dictionary<string, int>[] @ref)
    {
        var stats = new long[3 * Config.Order];
        for (int o = 0; o < Config.Order; o++)
        {
            long nRef = @ref[o].Values.Sum(v => (long)v);
            if (nRef == 0) continue;
            long nHyp = hyp[o].Values.Sum(v => (long)v);
            long nMatch = 0;
            foreach (var (g, c) in hyp[o])
                if (@ref[o].TryGetValue(g, out int rc)) nMatch += Math.Min(c, rc);
            stats[3 * o] = nHyp;
            stats[3 * o + 1] = nRef;
            stats[3 * o + 2] = nMatch;
        }
        return stats;
    }

    /// <summary>
    /// sacreBLEU's <c>_compute_f_score</c>: precision and recall are averaged over the orders where both sides have
    /// n-grams (the others still add eps to the sums), and F-beta is taken of the averages.
    /// </summary>
    internal double FScore(long[] stats)
    {
        const double eps = 1e-16;
        double factor = (double)Config.Beta * Config.Beta;
        double score = 0.0, avgPrec = 0.0, avgRec = 0.0;
        int effectiveOrder = 0;
        for (int o = 0; o < Config.Order; o++)
        {
            long nHyp = stats[3 * o], nRef = stats[3 * o + 1], nMatch = stats[3 * o + 2];
            double prec = nHyp > 0 ? (double)nMatch / nHyp : eps;
            double rec = nRef > 0 ? (double)nMatch / nRef : eps;
            double denom = factor * prec + rec;
            score += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
            if (nHyp > 0 && nRef > 0) effectiveOrder++;
            avgPrec += prec;
            avgRec += rec;
        }
        if (Config.EpsSmoothing) return 100 * score / Config.Order;
        if (effectiveOrder == 0) avgPrec = avgRec = 0.0;
        else { avgPrec /= effectiveOrder; avgRec /= effectiveOrder; }
        if (avgPrec + avgRec != 0)
        {
            score = (1 + factor) * avgPrec * avgRec;
            score /= factor * avgPrec + avgRec;
            return 100 * score;
        }
        return 0.0;
    }
}
