using Attend.Text;

namespace Attend.Corpus;

/// <summary>
/// The second pass over the training split, on ids only: each distinct word is BPE-segmented once, every pair's
/// word ids are expanded into subword ids (temporary ones, shared by both sides), pairs that BPE made longer
/// than <c>data.max_length</c> are dropped and counted, the subwords of the kept pairs are counted per side (what
/// the vocabularies are built from), and the pairs are written again as shards of <c>data.shard_pairs</c>.
/// Without BPE a word is its own single subword.
/// </summary>
internal sealed class SubwordPass
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _subwords = [];
    private long[] _srcCounts = [], _trgCounts = [];

    public List<string> Shards { get; } = [];
    public long Pairs { get; private set; }
    public long SourceTokens { get; private set; }
    public long TargetTokens { get; private set; }
    public long TooLong { get; private set; }

    public void Run(WordPass words, BpeCodes? bpe, int maxLength, string outDir, int shardPairs)
    {
        var segments = Segments(words.Words(), bpe);
        _srcCounts = new long[_subwords.Count];
        _trgCounts = new long[_subwords.Count];
        ShardWriter? writer = null;
        var (s, t) = (new List<int>(64), new List<int>(64));
        try
        {
            foreach (var path in words.Shards)
            {
                using (var reader = ShardReader.Open(path, verify: false))
                    for (int i = 0; i < reader.Count; i++)
                    {
                        var (ws, wt) = reader.Pair(i);
                        Expand(ws, segments, s);
                        Expand(wt, segments, t);
                        if (s.Count > maxLength || t.Count > maxLength) { TooLong++; continue; }
                        foreach (int id in s) _srcCounts[id]++;
                        foreach (int id in t) _trgCounts[id]++;
                        if (writer is null)
                        {
                            Shards.Add(Path.Combine(outDir, $"train-{Shards.Count:D5}.provisional"));
                            writer = new ShardWriter(Shards[^1], idBytes: 4);
                        }
                        writer.Append(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(s), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(t));
                        (Pairs, SourceTokens, TargetTokens) = (Pairs + 1, SourceTokens + s.Count, TargetTokens + t.Count);
                        if (writer.Pairs == shardPairs)
                        {
                            writer.Complete();
                            writer.Dispose();
                            writer = null;
                        }
                    }
                File.Delete(path);
            }
            writer?.Complete();
        }
        finally { writer?.Dispose(); }
    }

    /// <summary>Each word's subword ids (null for an unused word id).</summary>
    private int[]?[] Segments(string?[] words, BpeCodes? bpe)
    {
        var segmenter = bpe is null ? null : new BpeSegmenter(bpe);
        var segments = new int[]?[words.Length];
        for (int w = 0; w < words.Length; w++)
        {
            if (words[w] is not string word) continue;
            segments[w] = segmenter is null ? [Id(word)] : segmenter.SegmentWord(word).Select(Id).ToArray();
        }
        return segments;
    }

    private int Id(string subword)
    {
        if (!_ids.TryGetValue(subword, out int id))
        {
            id = _subwords.Count;
            _ids.Add(subword, id);
            _subwords.Add(subword);
        }
        return id;
    }

    private static void Expand(int[] wordIds, int[]?[] segments, List<int> into)
    {
        into.Clear();
        foreach (int w in wordIds) into.AddRange(segments[w]!);
    }

    /// <summary>The subwords seen on one side of the kept pairs, with their counts.</summary>
    public Dictionary<string, long> Counts(bool source)
    {
        var counts = source ? _srcCounts : _trgCounts;
        var dict = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < counts.Length; i++)
            if (counts[i] > 0) dict[_subwords[i]] = counts[i];
        return dict;
    }

    /// <summary>For each temporary subword id, the id <paramref name="vocab"/> gives it (unknown → &lt;unk&gt;).</summary>
    public int[] RemapTo(Vocabulary vocab) => _subwords.Select(w => vocab[w]).ToArray();
}
