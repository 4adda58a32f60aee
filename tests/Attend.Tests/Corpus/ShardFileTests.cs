using Attend.Corpus;
using Attend.Tests.Text;

namespace Attend.Tests.Corpus;

public class ShardFileTests
{
    private static List<(int[] S, int[] T)> RandomPairs(int n, int maxId, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
            (Enumerable.Range(0, rng.Next(0, 40)).Select(_ => rng.Next(maxId)).ToArray(),
             Enumerable.Range(0, rng.Next(1, 40)).Select(_ => rng.Next(maxId)).ToArray())).ToList();
    }

    private static string Write(string path, IEnumerable<(int[] S, int[] T)> pairs, int idBytes)
    {
        using var w = new ShardWriter(path, idBytes);
        foreach (var (s, t) in pairs) w.Append(s, t);
        w.Complete();
        return path;
    }

    [Theory]
    [InlineData(2, 65536)]
    [InlineData(4, 3_000_000)]
    public void Pairs_read_back_exactly_with_their_lengths(int idBytes, int maxId)
    {
        using var dir = new TempDir();
        var pairs = RandomPairs(777, maxId, idBytes);
        using var r = ShardReader.Open(Write(dir.File("a.shard"), pairs, idBytes));
        Assert.Equal(pairs.Count, r.Count);
        Assert.Equal(idBytes, r.Header.IdBytes);
        for (int i = 0; i < pairs.Count; i++)
        {
            var (s, t) = r.Pair(i);
            Assert.Equal(pairs[i].S, s);
            Assert.Equal(pairs[i].T, t);
            Assert.Equal((pairs[i].S.Length, pairs[i].T.Length), (r.SourceLength(i), r.TargetLength(i)));
        }
        Assert.Equal(pairs.Sum(p => (long)p.S.Length), r.Header.SourceTokens);
        Assert.False(File.Exists(dir.File("a.shard.tmp")));
    }

    [Fact]
    public void An_id_too_wide_for_16_bits_is_refused()
    {
        using var dir = new TempDir();
        using var w = new ShardWriter(dir.File("a.shard"), 2);
        Assert.Throws<ArgumentException>(() => w.Append([65536], [1]));
    }

    [Fact]
    public void A_writer_disposed_unfinished_leaves_no_file()
    {
        using var dir = new TempDir();
        using (var w = new ShardWriter(dir.File("a.shard"), 2)) w.Append([1, 2], [3]);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_flipped_byte_is_a_checksum_error_naming_the_shard()
    {
        using var dir = new TempDir();
        string path = Write(dir.File("a.shard"), RandomPairs(100, 5000, 1), 2);
        var bytes = File.ReadAllBytes(path);
        bytes[ShardFile.HeaderBytes + 10] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => ShardReader.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("checksum", e.Message);
    }

    [Fact]
    public void A_truncated_or_foreign_file_is_refused_before_reading()
    {
        using var dir = new TempDir();
        string path = Write(dir.File("a.shard"), RandomPairs(100, 5000, 2), 2);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);
        var e = Assert.Throws<InvalidDataException>(() => ShardReader.Open(path, verify: false));
        Assert.Contains("truncated", e.Message);
        File.WriteAllText(path, "not a shard at all, but long enough to hold a header of sixty-four bytes........");
        Assert.Contains("not a shard", Assert.Throws<InvalidDataException>(() => ShardReader.Open(path)).Message);
    }
}
