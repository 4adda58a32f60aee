namespace Attend.Corpus;

/// <summary>A run of training pairs read by index: a memory-mapped shard, or pairs held in memory.</summary>
internal interface IPairShard : IDisposable
{
    int Count { get; }
    int SourceLength(int i);
    int TargetLength(int i);
    /// <summary>The ids of pair <paramref name="i"/>, without BOS/EOS.</summary>
    (int[] Source, int[] Target) Pair(int i);
}

/// <summary>Pairs held in memory as one shard (small corpora, tests).</summary>
internal sealed class PairList(IReadOnlyList<(int[] Source, int[] Target)> pairs) : IPairShard
{
    public int Count => pairs.Count;
    public int SourceLength(int i) => pairs[i].Source.Length;
    public int TargetLength(int i) => pairs[i].Target.Length;
    public (int[] Source, int[] Target) Pair(int i) => pairs[i];
    public void Dispose() { }
}
