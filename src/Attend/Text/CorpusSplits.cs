using Attend.Tensors;

namespace Attend.Text;

/// <summary>How a seeded split keeps related pairs together.</summary>
internal enum SplitGrouping
{
    /// <summary>Each pair is assigned on its own.</summary>
    None,
    /// <summary>All pairs with the same source sentence land in the same split (Tatoeba: one English sentence,
    /// several French translations), so dev/test never contain a source seen in training.</summary>
    BySource,
    /// <summary>Pairs that share a source or a target sentence (directly or through a chain of pairs) land in the
    /// same split, so dev/test contain neither a source nor a target seen in training (Tatoeba in either direction).</summary>
    BySourceOrTarget,
}

/// <summary>Train, dev and test pairs.</summary>
internal sealed record CorpusSplits(IReadOnlyList<SentencePair> Train, IReadOnlyList<SentencePair> Dev, IReadOnlyList<SentencePair> Test)
{
    /// <summary>
    /// Reads named split files <c>{name}.{lang}</c> or <c>{name}.{lang}.gz</c> from a folder, e.g. Multi30k's
    /// train/val/test_2016_flickr.
    /// </summary>
    public static CorpusSplits LoadNamed(string folder, string sourceLang, string targetLang,
        string train = "train", string dev = "val", string test = "test_2016_flickr", CorpusReport? report = null)
    {
        List<SentencePair> Read(string name) =>
            ParallelCorpus.ReadAligned(Find(folder, $"{name}.{sourceLang}"), Find(folder, $"{name}.{targetLang}"), report).ToList();
        return new CorpusSplits(Read(train), Read(dev), Read(test));
    }

    /// <summary>The path of <paramref name="name"/> in the folder, or of its .gz twin when only that exists.</summary>
    public static string Find(string folder, string name)
    {
        string plain = Path.Combine(folder, name);
        if (File.Exists(plain)) return plain;
        string gz = plain + ".gz";
        return File.Exists(gz) ? gz : plain; // the reader then reports the missing plain path
    }

    /// <summary>
    /// A seeded random split of one corpus. Groups (pairs or source sentences) are shuffled with
    /// <see cref="Rng"/>; the first fraction of groups goes to test, the next to dev, the rest to train. Each split
    /// keeps the corpus order.
    /// </summary>
    public static CorpusSplits SplitSeeded(IEnumerable<SentencePair> pairs, double devFraction, double testFraction,
        ulong seed, SplitGrouping grouping = SplitGrouping.BySource)
    {
        if (devFraction < 0 || testFraction < 0 || devFraction + testFraction >= 1)
            throw new ArgumentException($"dev fraction {devFraction} and test fraction {testFraction} must be >= 0 and sum to less than 1");
        var all = pairs.ToList();
        var groupOf = new int[all.Count];
        int groups;
        if (grouping == SplitGrouping.BySourceOrTarget) groups = ConnectedGroups(all, groupOf);
        else
        {
            var groupIds = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < all.Count; i++)
            {
                if (grouping == SplitGrouping.None) { groupOf[i] = i; continue; }
                if (!groupIds.TryGetValue(all[i].Source, out int g)) groupIds[all[i].Source] = g = groupIds.Count;
                groupOf[i] = g;
            }
            groups = grouping == SplitGrouping.None ? all.Count : groupIds.Count;
        }
        var order = Enumerable.Range(0, groups).ToArray();
        new Rng(seed).Shuffle(order.AsSpan());
        int nTest = (int)Math.Round(groups * testFraction), nDev = (int)Math.Round(groups * devFraction);
        var side = new byte[groups]; // 0 train, 1 dev, 2 test
        for (int r = 0; r < groups; r++) side[order[r]] = r < nTest ? (byte)2 : r < nTest + nDev ? (byte)1 : (byte)0;
        var train = new List<SentencePair>(); var dev = new List<SentencePair>(); var test = new List<SentencePair>();
        for (int i = 0; i < all.Count; i++) (side[groupOf[i]] switch { 2 => test, 1 => dev, _ => train }).Add(all[i]);
        return new CorpusSplits(train, dev, test);
    }

    /// <summary>Union–find over the pairs, joining pairs with the same source or the same target; group ids in order of first appearance.</summary>
    private static int ConnectedGroups(List<SentencePair> all, int[] groupOf)
    {
        var parent = Enumerable.Range(0, all.Count).ToArray();
        int Root(int i) { while (parent[i] != i) i = parent[i] = parent[parent[i]]; return i; }
        var bySource = new Dictionary<string, int>(StringComparer.Ordinal);
        var byTarget = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < all.Count; i++)
        {
            if (bySource.TryGetValue(all[i].Source, out int a)) parent[Root(i)] = Root(a); else bySource[all[i].Source] = i;
            if (byTarget.TryGetValue(all[i].Target, out int b)) parent[Root(i)] = Root(b); else byTarget[all[i].Target] = i;
        }
        var ids = new Dictionary<int, int>();
        for (int i = 0; i < all.Count; i++)
        {
            int r = Root(i);
            if (!ids.TryGetValue(r, out int g)) ids[r] = g = ids.Count;
            groupOf[i] = g;
        }
        return ids.Count;
    }
}
