using Attend.Config;
using Attend.Tensors;

namespace Attend.Corpus;

/// <summary>One batch: the shard it comes from and the indices of its pairs there.</summary>
internal readonly record struct PlannedBatch(int Shard, int[] Pairs);

/// <summary>
/// The batches of one epoch over a sharded training set, a pure function of (seed, epoch) and the pairs'
/// lengths, with memory bounded by the largest shard: the shard order is shuffled; within a shard the pairs
/// are shuffled, cut into pools of 32 batches' worth, each pool is sorted by source length (so a batch pads
/// little) and cut into batches, and the shard's batches are shuffled. A position (epoch, batch index)
/// therefore names exactly the same batch in every run, which is what lets <c>--resume</c> continue in the
/// middle of an epoch. With one shard the order is the one in-memory training always used.
/// </summary>
internal sealed class BatchPlan(ulong seed, int batchSize, BatchType type)
{
    private const int PoolBatches = 32;

    /// <summary>The order in which the shards are read in <paramref name="epoch"/>.</summary>
    public int[] ShardOrder(int shards, int epoch)
    {
        var order = Enumerable.Range(0, shards).ToArray();
        if (shards > 1) new Rng(Mix(epoch, 0x5A17)).Shuffle(order.AsSpan());
        return order;
    }

    /// <summary>
    /// The batches of one shard in <paramref name="epoch"/>; <paramref name="sourceLength"/> and
    /// <paramref name="targetLength"/> give each pair's token counts (no BOS/EOS).
    /// </summary>
    public List<int[]> ShardBatches(int shard, int count, int epoch, Func<int, int> sourceLength, Func<int, int> targetLength)
    {
        var rng = new Rng(Mix(epoch, 0) + (ulong)shard * 0x94D049BB133111EBUL);
        var idx = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(idx.AsSpan());
        var batches = new List<int[]>();
        int pool = PoolPairs(count, targetLength);
        for (int start = 0; start < count; start += pool)
        {
            var chunk = idx.AsSpan(start, Math.Min(pool, count - start)).ToArray();
            // A stable sort keeps the shuffled order among equal lengths.
            var sorted = chunk.OrderBy(sourceLength).ToArray();
            if (type == BatchType.Sentences)
                for (int b = 0; b < sorted.Length; b += batchSize)
                    batches.Add(sorted.AsSpan(b, Math.Min(batchSize, sorted.Length - b)).ToArray());
            else
                CutByTokens(sorted, targetLength, batches);
        }
        var order = batches.ToArray();
        rng.Shuffle(order.AsSpan());
        return [.. order];
    }

    /// <summary>
    /// Token batches: as many pairs as keep (pairs × the longest target + 1 for EOS) within the batch size, so a
    /// batch's padded target never exceeds it; a pair alone longer than the budget is a batch by itself.
    /// </summary>
    private void CutByTokens(int[] sorted, Func<int, int> targetLength, List<int[]> batches)
    {
        int begin = 0, longest = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            int len = targetLength(sorted[i]) + 1;
            int next = Math.Max(longest, len);
            if (i > begin && (long)next * (i - begin + 1) > batchSize)
            {
                batches.Add(sorted[begin..i]);
                (begin, next) = (i, len);
            }
            longest = next;
        }
        if (begin < sorted.Length) batches.Add(sorted[begin..]);
    }

    private int PoolPairs(int count, Func<int, int> targetLength)
    {
        if (type == BatchType.Sentences) return batchSize * PoolBatches;
        // Token batches: 32 batches' worth of pairs at the shard's mean target length (sampled).
        long tokens = 0;
        int sample = Math.Min(count, 1000);
        for (int i = 0; i < sample; i++) tokens += targetLength(i) + 1;
        double mean = sample == 0 ? 1 : (double)tokens / sample;
        return (int)Math.Clamp(PoolBatches * batchSize / mean, PoolBatches, int.MaxValue / 2);
    }

    // The same generator the in-memory order used for (seed, epoch), so one shard keeps its batches.
    private ulong Mix(int epoch, ulong salt) => seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xD1B54A32D192ED03UL + 1 + salt;
}
