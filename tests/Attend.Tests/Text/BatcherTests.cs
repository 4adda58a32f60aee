using Attend.Tensors;
using Attend.Text;

namespace Attend.Tests.Text;

public class BatcherTests
{
    private static List<EncodedPair> Pairs(int n, int seed)
    {
        var rng = new Rng((ulong)seed);
        return Enumerable.Range(0, n).Select(i =>
            new EncodedPair(Ids(rng, rng.NextInt(1, 12)), Ids(rng, rng.NextInt(1, 12)), i)).ToList();

        static int[] Ids(Rng r, int len) => Enumerable.Range(0, len).Select(_ => r.NextInt(4, 50)).ToArray();
    }

    [Fact]
    public void Collate_pads_and_builds_teacher_forcing_targets()
    {
        var b = Batch.Collate([new EncodedPair([5, 6, 7], [8, 9], 0), new EncodedPair([10], [11, 12, 13], 1)]);
        Assert.Equal((2, 3, 4), (b.B, b.S, b.T));
        Assert.Equal([5, 6, 7, 10, 0, 0], b.SrcIds);
        Assert.Equal([1f, 1, 1, 1, 0, 0], b.SrcMask);
        Assert.Equal([3, 1], b.SrcLengths);
        Assert.Equal([1, 8, 9, 0, 1, 11, 12, 13], b.TgtIn);
        Assert.Equal([8, 9, 2, 0, 11, 12, 13, 2], b.TgtOut);
        Assert.Equal([3, 4], b.TgtLengths);
    }

    [Fact]
    public void Filter_counts_what_it_drops()
    {
        var pairs = new List<EncodedPair>
        {
            new([4], [5], 0), new([], [5], 1), new([4, 4, 4], [5], 2), new([4], [5, 5, 5], 3), new([4, 4], [5, 5], 4),
        };
        var (kept, report) = Batcher.Filter(pairs, new BatchOptions(MaxSourceLength: 2, MaxTargetLength: 2));
        Assert.Equal([0, 4], kept.Select(p => p.Index));
        Assert.Equal(new FilterReport(2, 1, 1, 1), report);
        Assert.Contains("3 dropped", report.ToString());
    }

    [Fact]
    public void Same_seed_gives_same_batches_and_every_pair_once()
    {
        var pairs = Pairs(500, 1);
        var options = new BatchOptions(By: BatchBy.Tokens, Size: 120);
        var a = Batcher.MakeBatches(pairs, options, new Rng(5));
        var b = Batcher.MakeBatches(pairs, options, new Rng(5));
        var c = Batcher.MakeBatches(pairs, options, new Rng(6));
        Assert.Equal(a.Select(x => string.Join(',', x.Indices)), b.Select(x => string.Join(',', x.Indices)));
        Assert.Equal(a.Select(x => string.Join(',', x.SrcIds)), b.Select(x => string.Join(',', x.SrcIds)));
        Assert.NotEqual(a.Select(x => string.Join(',', x.Indices)), c.Select(x => string.Join(',', x.Indices)));
        Assert.Equal(Enumerable.Range(0, 500), a.SelectMany(x => x.Indices).Order());
        foreach (var batch in a)
        {
            Assert.True(batch.B * Math.Max(batch.S, batch.T) <= 120, $"batch of {batch.B}x{batch.S}/{batch.T} over budget");
            // Bucketing: lengths inside a batch are close (sorted by source length before cutting).
            Assert.True(batch.SrcLengths.Max() - batch.SrcLengths.Min() <= 1);
        }
    }

    [Fact]
    public void Sentence_batches_and_original_order()
    {
        var pairs = Pairs(10, 2);
        var batches = Batcher.MakeBatches(pairs, new BatchOptions(By: BatchBy.Sentences, Size: 4, Order: BatchOrder.Original));
        Assert.Equal([4, 4, 2], batches.Select(b => b.B));
        Assert.Equal(Enumerable.Range(0, 10), batches.SelectMany(b => b.Indices));
        var sorted = Batcher.MakeBatches(pairs, new BatchOptions(By: BatchBy.Sentences, Size: 4, Order: BatchOrder.Sorted));
        var lengths = sorted.SelectMany(b => b.SrcLengths).ToList();
        Assert.Equal(lengths.Order(), lengths);
    }

    [Fact]
    public void A_pair_over_the_token_budget_gets_its_own_batch()
    {
        var pairs = new List<EncodedPair> { new([4, 4, 4, 4, 4], [5], 0), new([4], [5], 1) };
        var batches = Batcher.MakeBatches(pairs, new BatchOptions(Size: 3, Order: BatchOrder.Sorted));
        Assert.Equal([1, 1], batches.Select(b => b.B));
    }
}
