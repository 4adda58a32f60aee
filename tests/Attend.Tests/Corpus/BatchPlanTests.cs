using Attend.Config;
using Attend.Corpus;

namespace Attend.Tests.Corpus;

public class BatchPlanTests
{
    private static int Len(int i) => 1 + (i * 7919 % 53);
    private static int TLen(int i) => 1 + (i * 104729 % 41);

    private static string Fingerprint(IEnumerable<int[]> batches) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.ASCII.GetBytes(string.Join(";", batches.Select(b => string.Join(",", b))))))[..16];

    [Fact]
    public void One_shard_keeps_the_batches_in_memory_training_always_had()
    {
        // The fingerprint of the order the in-memory trainer produced for these arguments before corpora were
        // sharded: Multi30k and the demo train on exactly the same batches as before.
        var plan = new BatchPlan(7, 16, BatchType.Sentences);
        Assert.Equal([0], plan.ShardOrder(1, 3));
        Assert.Equal("5c4de3f1b5493c01", Fingerprint(plan.ShardBatches(0, 1000, 3, Len, TLen)));
    }

    [Theory]
    [InlineData(BatchType.Sentences, 16)]
    [InlineData(BatchType.Tokens, 400)]
    public void Every_pair_of_every_shard_comes_once_an_epoch_in_a_seeded_order(BatchType type, int size)
    {
        var plan = new BatchPlan(3, size, type);
        int[] counts = [500, 123, 777];
        var seen = new Dictionary<int, List<string>>();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var order = plan.ShardOrder(counts.Length, epoch);
            Assert.Equal([0, 1, 2], order.Order());
            foreach (int k in order)
            {
                var batches = plan.ShardBatches(k, counts[k], epoch, Len, TLen);
                Assert.Equal(Enumerable.Range(0, counts[k]), batches.SelectMany(b => b).Order());
                Assert.Equal(Fingerprint(batches), Fingerprint(plan.ShardBatches(k, counts[k], epoch, Len, TLen)));
                seen.TryAdd(k, []);
                seen[k].Add(Fingerprint(batches));
            }
        }
        Assert.All(seen.Values, fps => Assert.NotEqual(fps[0], fps[1])); // each epoch shuffles anew
    }

    [Fact]
    public void Token_batches_keep_their_padded_target_within_the_budget()
    {
        var batches = new BatchPlan(5, 300, BatchType.Tokens).ShardBatches(0, 2000, 0, Len, TLen);
        foreach (var b in batches)
        {
            long padded = (long)b.Length * (b.Max(TLen) + 1);
            Assert.True(padded <= 300 || b.Length == 1, $"{b.Length} pairs pad to {padded} target tokens");
        }
        // Sorted pools fill batches: on average well above half the budget.
        Assert.True(batches.Average(b => b.Length * (b.Max(TLen) + 1.0)) > 200);
    }
}
