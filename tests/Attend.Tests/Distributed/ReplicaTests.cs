using Attend.Tensors;
using Attend.Tensors.Distributed;
using Attend.Training;

namespace Attend.Tests.Distributed;

/// <summary>The in-process parts of data parallelism: the ranks' shares of a batch, and the replica check.</summary>
public class ReplicaTests
{
    /// <summary>Rank <paramref name="rank"/> of a pretend job of two, whose max-reduction sees the other rank's checksum <paramref name="theirs"/>.</summary>
    private sealed class TwoRanks(int rank, double theirs) : ICommunicator
    {
        public int Rank => rank;
        public int Size => 2;
        public void SumInPlace(Span<float> values) => throw new NotSupportedException();
        public void SumInPlace(Span<double> values) => throw new NotSupportedException();
        public void MaxInPlace(Span<double> values)
        {
            // The checksum check reduces [h, −h]: the other rank contributes [theirs, −theirs].
            values[0] = Math.Max(values[0], theirs);
            values[1] = Math.Max(values[1], -theirs);
        }
        public void Broadcast(Span<float> values, int root = 0) { }
        public void Broadcast(Span<byte> bytes, int root = 0) { }
        public byte[] Gather(ReadOnlySpan<byte> bytes, int root = 0) => bytes.ToArray();
        public void Abort(int exitCode) => throw new NotSupportedException();
        public void Dispose() { }
    }

    private static List<Tensor> Parameters()
    {
        var w = Tensor.Parameter("w", 3, 4);
        for (int i = 0; i < w.Length; i++) w.Data[i] = i * 0.25f;
        return [w, Tensor.Parameter("b", 3)];
    }

    [Theory]
    [InlineData(7, 2)]
    [InlineData(7, 3)]
    [InlineData(2, 3)]
    [InlineData(64, 4)]
    public void The_ranks_shares_hold_every_pair_of_a_batch_once(int pairs, int ranks)
    {
        var batch = Enumerable.Range(100, pairs).ToArray();
        var shares = Enumerable.Range(0, ranks).Select(r => new DataParallel(new RankOf(r, ranks), []).PartOf(batch)).ToList();
        Assert.Equal(batch, shares.SelectMany(s => s).Order());
        Assert.True(shares.Max(s => s.Length) - shares.Min(s => s.Length) <= 1);
    }

    /// <summary>Rank <paramref name="rank"/> of a pretend job of <paramref name="size"/> whose collectives do nothing.</summary>
    private sealed class RankOf(int rank, int size) : ICommunicator
    {
        public int Rank => rank;
        public int Size => size;
        public void SumInPlace(Span<float> values) { }
        public void SumInPlace(Span<double> values) { }
        public void MaxInPlace(Span<double> values) { }
        public void Broadcast(Span<float> values, int root = 0) { }
        public void Broadcast(Span<byte> bytes, int root = 0) { }
        public byte[] Gather(ReadOnlySpan<byte> bytes, int root = 0) => bytes.ToArray();
        public void Abort(int exitCode) { }
        public void Dispose() { }
    }

    [Fact]
    public void Equal_replicas_pass_the_check_and_one_changed_bit_ends_the_run()
    {
        var ps = Parameters();
        double mine = DataParallel.Checksum(ps);
        new DataParallel(new TwoRanks(0, mine), ps).CheckReplicasEqual(40);
        var drifted = Parameters();
        drifted[0].Data[5] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(drifted[0].Data[5]) ^ 1);
        double theirs = DataParallel.Checksum(drifted);
        Assert.NotEqual(mine, theirs);
        var e = Assert.Throws<InvalidOperationException>(() => new DataParallel(new TwoRanks(1, theirs), ps).CheckReplicasEqual(40));
        Assert.Contains("step 40: the parameters differ between ranks", e.Message);
    }
}
