using System.Text;

namespace Attend.Text;

/// <summary>
/// Statistics of one side of a tokenized corpus: sentences, tokens, out-of-vocabulary rate against a vocabulary
/// (tokens that would map to &lt;unk&gt;), and a length histogram in bins of <see cref="BinWidth"/> tokens
/// (bin i counts lengths in [i·w, (i+1)·w)).
/// </summary>
internal sealed record CorpusStats(long Sentences, long Tokens, long OovTokens, int MaxLength, int BinWidth, long[] Histogram)
{
    public double MeanLength => Sentences == 0 ? 0 : (double)Tokens / Sentences;
    public double OovRate => Tokens == 0 ? 0 : (double)OovTokens / Tokens;

    public static CorpusStats Compute(IEnumerable<IReadOnlyList<string>> sentences, Vocabulary? vocabulary = null, int binWidth = 10)
    {
        if (binWidth <= 0) throw new ArgumentException($"bin width must be positive, got {binWidth}");
        long n = 0, tokens = 0, oov = 0;
        int max = 0;
        var bins = new List<long>();
        foreach (var s in sentences)
        {
            n++;
            tokens += s.Count;
            max = Math.Max(max, s.Count);
            int bin = s.Count / binWidth;
            while (bins.Count <= bin) bins.Add(0);
            bins[bin]++;
            if (vocabulary is not null) foreach (var t in s) if (!vocabulary.Contains(t)) oov++;
        }
        return new CorpusStats(n, tokens, oov, max, binWidth, bins.ToArray());
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"{Sentences} sentences, {Tokens} tokens, mean length {MeanLength:F2}, max {MaxLength}, OOV rate {OovRate:P2}\n");
        long peak = Histogram.Length == 0 ? 1 : Math.Max(1, Histogram.Max());
        for (int i = 0; i < Histogram.Length; i++)
            sb.Append($"  {i * BinWidth,4}-{(i + 1) * BinWidth - 1,-4} {Histogram[i],8} {new string('#', (int)(40 * Histogram[i] / peak))}\n");
        return sb.ToString();
    }
}
