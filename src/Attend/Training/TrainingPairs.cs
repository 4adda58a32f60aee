using Attend.Corpus;

namespace Attend.Training;

/// <summary>
/// The training split as the trainer reads it: shards opened one at a time (so what is mapped stays bounded by
/// one shard, whatever the corpus's size), or one list in memory.
/// </summary>
internal abstract class TrainingPairs
{
    public abstract int ShardCount { get; }
    /// <summary>Pairs in all shards.</summary>
    public abstract long Count { get; }
    /// <summary>Target tokens in all pairs (without EOS).</summary>
    public abstract long TargetTokens { get; }
    /// <summary>Opens shard <paramref name="k"/>; the caller disposes it.</summary>
    public abstract IPairShard Open(int k);

    /// <summary>Every pair, in corpus order (for tests and small corpora: it reads every shard).</summary>
    public IEnumerable<(int[] Source, int[] Target)> All()
    {
        for (int k = 0; k < ShardCount; k++)
        {
            using var shard = Open(k);
            for (int i = 0; i < shard.Count; i++) yield return shard.Pair(i);
        }
    }

    /// <summary>Pairs held in memory, as one shard.</summary>
    public static TrainingPairs InMemory(IReadOnlyList<(int[] Source, int[] Target)> pairs) => new Listed(pairs);

    /// <summary>The training shards of a prepared corpus, each checked against the manifest when opened.</summary>
    public static TrainingPairs Prepared(PreparedCorpus corpus) => new Sharded(corpus);

    private sealed class Listed(IReadOnlyList<(int[] Source, int[] Target)> pairs) : TrainingPairs
    {
        public override int ShardCount => 1;
        public override long Count => pairs.Count;
        public override long TargetTokens { get; } = pairs.Sum(p => (long)p.Target.Length);
        public override IPairShard Open(int k) => k == 0 ? new PairList(pairs) : throw new ArgumentOutOfRangeException(nameof(k));
    }

    private sealed class Sharded(PreparedCorpus corpus) : TrainingPairs
    {
        private readonly IReadOnlyList<ShardEntry> _shards = corpus.Shards("train");
        public override int ShardCount => _shards.Count;
        public override long Count => corpus.Manifest.Splits["train"].Pairs;
        public override long TargetTokens => corpus.Manifest.Splits["train"].TargetTokens;
        public override IPairShard Open(int k) => corpus.OpenShard(_shards[k]);
    }
}
