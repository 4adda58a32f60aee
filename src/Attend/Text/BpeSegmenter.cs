using System.Text;
using Attend.Tensors;

namespace Attend.Text;

/// <summary>
/// Applies BPE merges to tokenized text as subword-nmt's apply-bpe does: each word starts as characters (the
/// last one with <c>&lt;/w&gt;</c>), and the adjacent pair with the best (lowest) merge rank is merged everywhere
/// until no listed pair remains. Every subword but the last of a word gets the continuation marker "@@", so
/// <c>lower</c> might become <c>low@@ er</c>. Segmentations are cached per word (not thread-safe). BPE-dropout
/// (Provilkov et al. 2020) skips each candidate merge with probability p at every step; it is for training only
/// and bypasses the cache.
/// </summary>
internal sealed class BpeSegmenter
{
    public const string Marker = "@@";

    private readonly BpeCodes _codes;
    private readonly Dictionary<string, string[]> _cache = new(StringComparer.Ordinal);
    private readonly int _cacheCapacity;

    public BpeSegmenter(BpeCodes codes, int cacheCapacity = 1 << 20)
    {
        _codes = codes;
        _cacheCapacity = cacheCapacity;
    }

    /// <summary>Segments tokens into subwords (with "@@" on non-final pieces).</summary>
    public List<string> Segment(IEnumerable<string> tokens, double dropout = 0, Rng? rng = null)
    {
        var output = new List<string>();
        foreach (var token in tokens) output.AddRange(SegmentWord(token, dropout, rng));
        return output;
    }

    /// <summary>The subwords of one word. Without dropout the list is shared with the cache: read it, don't cast and
    /// change it.</summary>
    public IReadOnlyList<string> SegmentWord(string word, double dropout = 0, Rng? rng = null)
    {
        if (dropout > 0)
        {
            if (rng is null) throw new ArgumentException("BPE-dropout needs an Rng");
            return Encode(word, dropout, rng);
        }
        if (_cache.TryGetValue(word, out var cached)) return cached;
        var result = Encode(word, 0, null);
        if (_cache.Count >= _cacheCapacity) _cache.Clear(); // bounded memory on huge streams
        _cache[word] = result;
        return result;
    }

    // Works on symbol ids: a character that occurs in no merge gets a negative id (-1 - its index in `unknown`),
    // so it can never merge and still prints as itself.
    private string[] Encode(string word, double dropout, Rng? rng)
    {
        var ids = new List<int>(word.Length);
        List<string>? unknown = null;
        int count = 0, total = 0;
        foreach (var _ in word.EnumerateRunes()) total++;
        if (total == 0) return [];
        foreach (var rune in word.EnumerateRunes())
        {
            bool last = ++count == total;
            if ((last ? _codes.FinalCharIds : _codes.CharIds).TryGetValue(rune.Value, out int id)) { ids.Add(id); continue; }
            unknown ??= new List<string>();
            unknown.Add(last ? rune + BpeCodes.EndOfWord : rune.ToString());
            ids.Add(-unknown.Count);
        }
        var merges = new List<(int Rank, int Merged)>(ids.Count); // the merge starting at i, or (-1, -1) (absent or dropped)
        while (ids.Count > 1)
        {
            merges.Clear();
            int bestRank = int.MaxValue;
            for (int i = 0; i + 1 < ids.Count; i++)
            {
                if (ids[i] >= 0 && ids[i + 1] >= 0 && _codes.PairMerges.TryGetValue(BpeCodes.PairKey(ids[i], ids[i + 1]), out var m)
                    && (dropout <= 0 || rng!.NextDouble() >= dropout))
                {
                    merges.Add(m);
                    if (m.Rank < bestRank) bestRank = m.Rank;
                }
                else merges.Add((-1, -1));
            }
            if (bestRank == int.MaxValue) break;
            // Merge the surviving occurrences of the best pair, left to right without overlap.
            int write = 0;
            for (int read = 0; read < ids.Count; read++)
            {
                if (read < merges.Count && merges[read].Rank == bestRank) { ids[write++] = merges[read].Merged; read++; }
                else ids[write++] = ids[read];
            }
            ids.RemoveRange(write, ids.Count - write);
        }
        var pieces = new string[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            string s = ids[i] >= 0 ? _codes.Symbols[ids[i]] : unknown![-ids[i] - 1];
            pieces[i] = i + 1 < ids.Count ? s + Marker : s[..^BpeCodes.EndOfWord.Length];
        }
        return pieces;
    }

    /// <summary>Joins subword tokens back into tokens.</summary>
    public static List<string> Desegment(IEnumerable<string> subwords)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var s in subwords)
        {
            if (s.EndsWith(Marker, StringComparison.Ordinal)) { current.Append(s, 0, s.Length - Marker.Length); continue; }
            current.Append(s);
            tokens.Add(current.ToString());
            current.Clear();
        }
        if (current.Length > 0) tokens.Add(current.ToString());
        return tokens;
    }
}
