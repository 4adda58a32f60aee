using Attend.Tensors;

namespace Attend.Text;

/// <summary>How a batch is sized: by padded tokens, or by number of sentences.</summary>
public enum BatchBy { Tokens, Sentences }

/// <summary>The order batches come out in.</summary>
public enum BatchOrder
{
    /// <summary>Training: pairs shuffled, bucketed by length (random among equal lengths), batch order shuffled.</summary>
    Shuffled,
    /// <summary>Evaluation: bucketed by length, deterministic, no randomness.</summary>
    Sorted,
    /// <summary>Corpus order (e.g. translating a file); batches are cut greedily as pairs come.</summary>
    Original,
}

/// <summary>
/// Batching options. With <see cref="BatchBy.Tokens"/>, a batch holds as many pairs as fit in
/// <see cref="Size"/> padded tokens, counted as B × max(S, T) with T = longest target + 1; a pair that alone
/// exceeds the budget gets a batch of its own. Pairs longer than the maximum lengths (in tokens, before
/// &lt;s&gt;/&lt;/s&gt;) are dropped by <see cref="Batcher.Filter"/>.
/// </summary>
public sealed record BatchOptions(int MaxSourceLength = 100, int MaxTargetLength = 100, BatchBy By = BatchBy.Tokens,
    int Size = 4096, BatchOrder Order = BatchOrder.Shuffled);

/// <summary>What <see cref="Batcher.Filter"/> kept and dropped.</summary>
public sealed record FilterReport(int Kept, int DroppedEmpty, int DroppedSourceTooLong, int DroppedTargetTooLong)
{
    public int Dropped => DroppedEmpty + DroppedSourceTooLong + DroppedTargetTooLong;
    public override string ToString() =>
        $"{Kept} pairs kept, {Dropped} dropped (empty {DroppedEmpty}, source too long {DroppedSourceTooLong}, target too long {DroppedTargetTooLong})";
}

/// <summary>Filters, buckets and batches encoded pairs.</summary>
public static class Batcher
{
    /// <summary>Drops pairs with an empty side or a side over the maximum length, and counts why.</summary>
    public static (List<EncodedPair> Kept, FilterReport Report) Filter(IEnumerable<EncodedPair> pairs, BatchOptions options)
    {
        var kept = new List<EncodedPair>();
        int empty = 0, srcLong = 0, tgtLong = 0;
        foreach (var p in pairs)
        {
            if (p.Source.Length == 0 || p.Target.Length == 0) empty++;
            else if (p.Source.Length > options.MaxSourceLength) srcLong++;
            else if (p.Target.Length > options.MaxTargetLength) tgtLong++;
            else kept.Add(p);
        }
        return (kept, new FilterReport(kept.Count, empty, srcLong, tgtLong));
    }

    /// <summary>Cuts pairs into batches. The same pairs, options and Rng state give the same batches.</summary>
    public static List<Batch> MakeBatches(IReadOnlyList<EncodedPair> pairs, BatchOptions options, Rng? rng = null)
    {
        if (options.Size <= 0) throw new ArgumentException($"batch size must be positive, got {options.Size}");
        var order = Enumerable.Range(0, pairs.Count).ToArray();
        if (options.Order == BatchOrder.Shuffled)
        {
            if (rng is null) throw new ArgumentException("shuffled batches need an Rng");
            rng.Shuffle(order.AsSpan());
        }
        if (options.Order != BatchOrder.Original)
            order = order.OrderBy(i => pairs[i].Source.Length).ThenBy(i => pairs[i].Target.Length).ToArray(); // stable

        var batches = new List<Batch>();
        var current = new List<EncodedPair>();
        int maxS = 0, maxT = 0;
        foreach (int i in order)
        {
            var p = pairs[i];
            int s = Math.Max(maxS, p.Source.Length), t = Math.Max(maxT, p.Target.Length + 1);
            bool fits = options.By == BatchBy.Sentences
                ? current.Count + 1 <= options.Size
                : (long)(current.Count + 1) * Math.Max(s, t) <= options.Size;
            if (!fits && current.Count > 0)
            {
                batches.Add(Batch.Collate(current));
                current.Clear();
                (s, t) = (p.Source.Length, p.Target.Length + 1);
            }
            current.Add(p);
            (maxS, maxT) = (s, t);
        }
        if (current.Count > 0) batches.Add(Batch.Collate(current));
        if (options.Order == BatchOrder.Shuffled) rng!.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }
}
