namespace Attend.Text;

/// <summary>
/// The mutable state of BPE learning: words as arrays of symbol ids, pair counts, the index pair → words, and a
/// max-queue of (count, pair) entries that may be stale (an entry is valid when its count equals the current one).
/// A pair (a, b) of symbol ids is packed into one long.
/// </summary>
internal sealed class BpeLearnState
{
    private readonly List<string> _symbols = new();
    private readonly Dictionary<string, int> _symbolIds = new(StringComparer.Ordinal);
    private readonly int[][] _words;
    private readonly int[] _lengths;
    private readonly long[] _freqs;
    private readonly Dictionary<long, long> _counts = new();
    private readonly Dictionary<long, HashSet<int>> _where = new();
    private readonly PriorityQueue<long, (long Count, long Pair)> _queue;
    private readonly Dictionary<long, long> _delta = new();

    public int DistinctCharacterSymbols { get; }

    public BpeLearnState(IReadOnlyDictionary<string, long> wordCounts)
    {
        _queue = new PriorityQueue<long, (long, long)>(Comparer<(long Count, long Pair)>.Create(ComparePriority));
        _words = new int[wordCounts.Count][];
        _lengths = new int[wordCounts.Count];
        _freqs = new long[wordCounts.Count];
        int w = 0;
        // Sorted so that symbol ids and word order do not depend on dictionary order (results never do anyway).
        foreach (var (word, freq) in wordCounts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var chars = new List<string>();
            foreach (var rune in word.EnumerateRunes()) chars.Add(rune.ToString());
            chars[^1] += BpeCodes.EndOfWord;
            _words[w] = chars.Select(Intern).ToArray();
            _lengths[w] = chars.Count;
            _freqs[w] = freq;
            for (int i = 0; i + 1 < _lengths[w]; i++) AddPair(Pack(_words[w][i], _words[w][i + 1]), freq, w);
            w++;
        }
        DistinctCharacterSymbols = _symbols.Count;
        foreach (var (pair, count) in _counts) _queue.Enqueue(pair, (count, pair));
    }

    private int Intern(string s)
    {
        if (!_symbolIds.TryGetValue(s, out int id)) { id = _symbols.Count; _symbols.Add(s); _symbolIds[s] = id; }
        return id;
    }

    private static long Pack(int a, int b) => ((long)a << 32) | (uint)b;
    private static int Left(long pair) => (int)(pair >> 32);
    private static int Right(long pair) => (int)(pair & 0xFFFFFFFF);

    private void AddPair(long pair, long freq, int word)
    {
        _counts[pair] = _counts.GetValueOrDefault(pair) + freq;
        if (!_where.TryGetValue(pair, out var set)) _where[pair] = set = new HashSet<int>();
        set.Add(word);
    }

    // Max-queue order: higher count first, then the larger (left, right) pair in code-point order.
    private int ComparePriority((long Count, long Pair) x, (long Count, long Pair) y)
    {
        if (x.Count != y.Count) return y.Count.CompareTo(x.Count);
        int c = BpeLearner.CompareCodePoints(_symbols[Left(y.Pair)], _symbols[Left(x.Pair)]);
        return c != 0 ? c : BpeLearner.CompareCodePoints(_symbols[Right(y.Pair)], _symbols[Right(x.Pair)]);
    }

    public bool TryBest(out long pair, out long count)
    {
        while (_queue.TryPeek(out pair, out var priority))
        {
            count = _counts.GetValueOrDefault(pair);
            if (count == priority.Count && count > 0) return true;
            _queue.Dequeue(); // stale
        }
        pair = 0; count = 0;
        return false;
    }

    /// <summary>Merges the pair in every word that contains it and updates the counts of the touched pairs.</summary>
    public (string, string) Merge(long pair)
    {
        int a = Left(pair), b = Right(pair);
        int merged = Intern(_symbols[a] + _symbols[b]);
        _delta.Clear();
        foreach (int w in _where[pair])
        {
            int[] syms = _words[w];
            int n = _lengths[w];
            long f = _freqs[w];
            for (int i = 0; i + 1 < n; i++) Add(Pack(syms[i], syms[i + 1]), -f);
            int write = 0;
            for (int read = 0; read < n; read++)
            {
                if (read + 1 < n && syms[read] == a && syms[read + 1] == b) { syms[write++] = merged; read++; }
                else syms[write++] = syms[read];
            }
            _lengths[w] = n = write;
            for (int i = 0; i + 1 < n; i++)
            {
                long p = Pack(syms[i], syms[i + 1]);
                Add(p, f);
                if (syms[i] == merged || syms[i + 1] == merged)
                {
                    if (!_where.TryGetValue(p, out var set)) _where[p] = set = new HashSet<int>();
                    set.Add(w);
                }
            }
        }
        _where.Remove(pair);
        foreach (var (p, d) in _delta)
        {
            if (d == 0) continue;
            long count = _counts.GetValueOrDefault(p) + d;
            if (count == 0) _counts.Remove(p); else _counts[p] = count;
            if (count > 0) _queue.Enqueue(p, (count, p));
        }
        _counts.Remove(pair);
        return (_symbols[a], _symbols[b]);

        void Add(long p, long d) => _delta[p] = _delta.GetValueOrDefault(p) + d;
    }
}
