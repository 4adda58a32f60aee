using Attend.Model;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>
/// The batches of one epoch, a pure function of (seed, epoch): examples are shuffled, cut into pools of 32
/// batches, each pool sorted by source length (so a batch pads little) and cut into batches, then the
/// batch order is shuffled. Resuming at (epoch, batch index) therefore replays exactly the same data.
/// </summary>
public static class BatchOrder
{
    private const int PoolBatches = 32;

    public static List<int[]> Epoch(int count, int batchSize, ulong seed, int epoch, Func<int, int> length)
    {
        var rng = new Rng(seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xD1B54A32D192ED03UL + 1);
        var idx = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(idx.AsSpan());
        var batches = new List<int[]>();
        int pool = batchSize * PoolBatches;
        for (int start = 0; start < count; start += pool)
        {
            var chunk = idx.AsSpan(start, Math.Min(pool, count - start)).ToArray();
            // A stable sort keeps the shuffled order among equal lengths.
            var sorted = chunk.OrderBy(length).ToArray();
            for (int b = 0; b < sorted.Length; b += batchSize)
                batches.Add(sorted.AsSpan(b, Math.Min(batchSize, sorted.Length - b)).ToArray());
        }
        var order = batches.ToArray();
        rng.Shuffle(order.AsSpan());
        return [.. order];
    }

    /// <summary>The padded batch of the given examples.</summary>
    public static Seq2SeqBatch Make(IReadOnlyList<Example> examples, IEnumerable<int> indices, ModelConfig m) =>
        Seq2SeqBatch.FromPairs(indices.Select(i => examples[i].Source).ToList(), indices.Select(i => examples[i].Target).ToList(),
            m.PadId, m.BosId, m.EosId);
}
