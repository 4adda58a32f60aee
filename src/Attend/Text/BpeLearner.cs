namespace Attend.Text;

/// <summary>How many merges BPE learns: a number of merges, or a target vocabulary size (merges plus the distinct
/// characters, as subword-nmt's --total-symbols counts it); learning stops early when the best pair is rarer
/// than <see cref="MinFrequency"/>.</summary>
internal sealed record BpeLearnOptions(int Merges = 10000, int? VocabSize = null, int MinFrequency = 2);

/// <summary>
/// Learns BPE merges with the subword-nmt algorithm: words (space-separated tokens, weighted by frequency) start
/// as characters with <c>&lt;/w&gt;</c> glued to the last one; repeatedly the most frequent adjacent pair is merged
/// everywhere (ties go to the larger pair in code-point order, as Python's max over (count, pair) does).
/// Why it is fast: pair counts are kept incrementally with an index from each pair to the words that contain it,
/// so a merge only revisits those words, and the best pair comes from a priority queue with lazy deletion.
/// Counts are exact (no pruning heuristics).
/// </summary>
internal static class BpeLearner
{
    /// <summary>Token frequencies of tokenized lines (split on spaces, empties ignored).</summary>
    public static Dictionary<string, long> CountWords(IEnumerable<string> lines, Dictionary<string, long>? into = null)
    {
        var counts = into ?? new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in lines)
            foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                counts[word] = counts.GetValueOrDefault(word) + 1;
        return counts;
    }

    public static BpeCodes Learn(IReadOnlyDictionary<string, long> wordCounts, BpeLearnOptions? options = null)
    {
        options ??= new BpeLearnOptions();
        var state = new BpeLearnState(wordCounts);
        int merges = options.VocabSize is int size ? size - state.DistinctCharacterSymbols : options.Merges;
        var result = new List<(string, string)>(Math.Max(0, merges));
        while (result.Count < merges && state.TryBest(out long pair, out long count) && count >= options.MinFrequency)
            result.Add(state.Merge(pair));
        return new BpeCodes(result);
    }

    /// <summary>Compares strings by Unicode code point (UTF-16 ordinal order differs above U+D7FF).</summary>
    internal static int CompareCodePoints(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            int x = a[i], y = b[i];
            if (x == y) continue;
            if (x >= 0xD800 && y >= 0xD800) { x = Fix(x); y = Fix(y); }
            return x.CompareTo(y);
        }
        return a.Length.CompareTo(b.Length);

        static int Fix(int c) => c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }
}
