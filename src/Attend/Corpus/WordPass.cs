using System.Collections.Concurrent;
using Attend.Config;
using Attend.Text;

namespace Attend.Corpus;

/// <summary>
/// The first pass over the training split, the only one that reads its text: each side normalized and tokenized
/// into words on every core, each word given an id (in order of first sight on some thread; the ids are
/// temporary, so their order does not matter), every word counted per side, and the pairs written as shards of
/// word ids. A pair with an empty side, or more words than <c>data.max_length</c> (BPE only splits words, so it
/// stays too long), is dropped and counted here; its words still count, as BPE learns from every pair.
/// </summary>
internal sealed class WordPass
{
    private const int ChunkPairs = 2048;

    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private int _next = -1;
    private long[] _srcCounts = new long[1 << 16], _trgCounts = new long[1 << 16];

    public List<string> Shards { get; } = [];
    public long Pairs { get; private set; }
    public long Empty { get; private set; }
    public long TooLong { get; private set; }
    public CorpusReport Report { get; } = new();

    /// <summary>The words by id (null where a racing thread's id went unused).</summary>
    public string?[] Words()
    {
        var words = new string?[_next + 1];
        foreach (var (w, id) in _ids) words[id] = w;
        return words;
    }

    public long SourceCount(int id) => id < _srcCounts.Length ? _srcCounts[id] : 0;
    public long TargetCount(int id) => id < _trgCounts.Length ? _trgCounts[id] : 0;

    public void Run(DataConfig d, SplitSource train, string outDir, int shardPairs, int threads, Action<string> note, System.Diagnostics.Stopwatch clock)
    {
        var local = new ThreadLocal<TextSide>(() => d.CreateTextSide());
        int[] Map(string[] words)
        {
            var ids = new int[words.Length];
            for (int i = 0; i < words.Length; i++) ids[i] = _ids.GetOrAdd(words[i], _ => Interlocked.Increment(ref _next));
            return ids;
        }
        ShardWriter? writer = null;
        try
        {
            var chunks = OrderedParallel.Map(OrderedParallel.Chunks(train.Read(Report), ChunkPairs),
                chunk => chunk.Select(p => (S: Map(local.Value!.Words(p.Source)), T: Map(local.Value!.Words(p.Target)))).ToArray(), 2 * threads);
            foreach (var chunk in chunks)
                foreach (var (s, t) in chunk)
                {
                    Count(ref _srcCounts, s);
                    Count(ref _trgCounts, t);
                    if (s.Length == 0 || t.Length == 0) { Empty++; continue; }
                    if (s.Length > d.MaxLength || t.Length > d.MaxLength) { TooLong++; continue; }
                    if (writer is null)
                    {
                        Shards.Add(Path.Combine(outDir, $"train-{Shards.Count:D5}.words"));
                        writer = new ShardWriter(Shards[^1], idBytes: 4);
                    }
                    writer.Append(s, t);
                    Pairs++;
                    if (writer.Pairs == shardPairs)
                    {
                        writer.Complete();
                        writer.Dispose();
                        writer = null;
                        note($"train: shard {Shards.Count - 1} tokenized, {Pairs} pairs so far ({Pairs / clock.Elapsed.TotalSeconds:F0} pairs/s)");
                    }
                }
            writer?.Complete();
        }
        finally { writer?.Dispose(); }
    }

    private static void Count(ref long[] counts, int[] ids)
    {
        foreach (int id in ids)
        {
            if (id >= counts.Length) Array.Resize(ref counts, Math.Max(counts.Length * 2, id + 1));
            counts[id]++;
        }
    }
}
