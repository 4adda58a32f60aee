using Attend.Config;
using Attend.Corpus;
using Attend.Testing;
using Attend.Tests.Text;
using Attend.Text;
using Attend.Training;

namespace Attend.Tests.Corpus;

public class PreparerTests
{
    /// <summary>Multi30k's val (1,014 pairs) as training data and its test set as dev, with joint BPE.</summary>
    private static RunConfig Multi30kSlice(int merges = 300, int maxLength = 60) => ConfigLoader.Load($"""
        data:
          source: files
          dir: {Fixtures.Dir("data", "multi30k")}
          train: val
          dev: test_2016_flickr
          src: de
          trg: en
          bpe_merges: {merges}
          max_length: {maxLength}
        """);

    private static List<(int[] S, int[] T)> Pairs(PreparedCorpus c, string split)
    {
        var all = new List<(int[], int[])>();
        foreach (var shard in c.Shards(split))
        {
            using var r = c.OpenShard(shard);
            for (int i = 0; i < r.Count; i++) all.Add(r.Pair(i));
        }
        return all;
    }

    [Fact]
    public void Prepared_ids_are_those_of_the_in_memory_path_in_any_number_of_shards()
    {
        var config = Multi30kSlice();
        var reference = TrainingData.Load(config);
        using var dir = new TempDir();
        Preparer.Run(config.Data, TrainingData.Sources(config), dir.Path, new PrepareOptions(ShardPairs: 300));
        var c = PreparedCorpus.Open(dir.Path);
        Assert.Equal(reference.SourceVocab.Tokens, c.SourceVocab.Tokens);
        Assert.Equal(reference.TargetVocab.Tokens, c.TargetVocab.Tokens);
        Assert.Equal(reference.Text.Bpe!.Merges, c.Bpe!.Merges);
        var train = Pairs(c, "train");
        Assert.True(c.Shards("train").Count >= 3, $"{c.Shards("train").Count} shards");
        Assert.Equal(reference.Train.All().Select(e => e.Source), train.Select(p => p.S));
        Assert.Equal(reference.Train.All().Select(e => e.Target), train.Select(p => p.T));
        var dev = c.ReadHeldOut("dev");
        Assert.Equal(reference.Dev.Select(e => (e.Source, e.Target, e.SourceText, e.TargetText)), dev);
        Assert.Equal(reference.DroppedTooLong, c.Manifest.Splits["train"].Dropped.Total);
        Assert.Equal(2, c.Manifest.IdBytes);
    }

    [Fact]
    public void One_thread_and_two_write_the_same_bytes()
    {
        var config = Multi30kSlice();
        using var a = new TempDir();
        using var b = new TempDir();
        Preparer.Run(config.Data, TrainingData.Sources(config), a.Path, new PrepareOptions(Threads: 1, ShardPairs: 300));
        Preparer.Run(config.Data, TrainingData.Sources(config), b.Path, new PrepareOptions(Threads: 2, ShardPairs: 300));
        foreach (var f in Directory.GetFiles(a.Path).Select(Path.GetFileName).Where(f => f != Manifest.FileName))
            Assert.True(File.ReadAllBytes(Path.Combine(a.Path, f!)).SequenceEqual(File.ReadAllBytes(Path.Combine(b.Path, f!))), f);
    }

    [Fact]
    public void Empty_too_long_and_invalid_lines_are_dropped_and_counted_by_reason()
    {
        using var dir = new TempDir();
        List<byte[]> src = [], trg = [];
        void Add(string s, string t) { src.Add(System.Text.Encoding.UTF8.GetBytes(s)); trg.Add(System.Text.Encoding.UTF8.GetBytes(t)); }
        Add("ein Haus", "a house");
        Add("", "nothing on the left");                                   // empty
        Add(string.Join(' ', Enumerable.Repeat("sehr", 30)), "very");      // too long
        src.Add([0x66, 0xC3, 0x28]); trg.Add("bad bytes on the left"u8.ToArray()); // invalid UTF-8
        Add("zwei Häuser", "two houses");
        static byte[] Join(List<byte[]> lines) => lines.SelectMany(l => l.Append((byte)'\n')).ToArray();
        dir.Bytes("train.de", Join(src));
        dir.Bytes("train.en", Join(trg));
        dir.File("dev.de", "ein Haus\n");
        dir.File("dev.en", "a house\n");
        var config = ConfigLoader.Load($"data:\n  source: files\n  dir: {dir.Path}\n  train: train\n  dev: dev\n  src: de\n  trg: en\n  max_length: 10\n");
        string outDir = Path.Combine(dir.Path, "prepared");
        var m = Preparer.Run(config.Data, TrainingData.Sources(config), outDir);
        var train = m.Splits["train"];
        Assert.Equal(2, train.Pairs);
        Assert.Equal((1L, 1L, 1L), (train.Dropped.Empty, train.Dropped.TooLong, train.Dropped.InvalidUtf8));
        Assert.Equal(2, m.Sources.Count(s => s.Path.EndsWith("train.de") || s.Path.EndsWith("train.en")));
        Assert.All(m.Sources, s => Assert.Equal(64, s.Sha256.Length));
        Assert.Equal("10", m.Config["max_length"]);
    }

    [Fact]
    public void A_damaged_or_mismatched_folder_is_an_error_naming_the_file()
    {
        var config = Multi30kSlice(merges: 100);
        using var dir = new TempDir();
        Preparer.Run(config.Data, TrainingData.Sources(config), dir.Path, new PrepareOptions(ShardPairs: 300));
        string shard = Path.Combine(dir.Path, "train-00001.shard");

        // A shard of the same folder in another's place: caught when the folder is opened.
        File.Copy(shard, shard + ".keep");
        File.Copy(Path.Combine(dir.Path, "train-00000.shard"), shard, overwrite: true);
        var e = Assert.Throws<InvalidDataException>(() => PreparedCorpus.Open(dir.Path));
        Assert.Contains("train-00001.shard", e.Message);
        File.Move(shard + ".keep", shard, overwrite: true);

        // A manifest that does not describe this shard (another preparation's checksum): caught when it is opened.
        string manifest = Path.Combine(dir.Path, Manifest.FileName), text = File.ReadAllText(manifest);
        var c = PreparedCorpus.Open(dir.Path);
        string xxh = c.Shards("train")[1].Xxh3;
        File.WriteAllText(manifest, text.Replace(xxh, new string('0', 16)));
        c = PreparedCorpus.Open(dir.Path);
        e = Assert.Throws<InvalidDataException>(() => c.OpenShard(c.Shards("train")[1]));
        Assert.Contains("train-00001.shard", e.Message);
        File.WriteAllText(manifest, text);

        // Truncated: caught when the folder is opened, from the sizes alone.
        var bytes = File.ReadAllBytes(shard);
        File.WriteAllBytes(shard, bytes[..^8]);
        e = Assert.Throws<InvalidDataException>(() => PreparedCorpus.Open(dir.Path));
        Assert.Contains("train-00001.shard", e.Message);
        File.WriteAllBytes(shard, bytes);

        // Another vocabulary beside the shards.
        string vocab = Path.Combine(dir.Path, "trg.vocab");
        string kept = File.ReadAllText(vocab);
        File.WriteAllText(vocab, kept.Replace("\n", "\n", StringComparison.Ordinal) + "extra\t1\n");
        e = Assert.Throws<InvalidDataException>(() => PreparedCorpus.Open(dir.Path));
        Assert.Contains("trg.vocab", e.Message);
        File.WriteAllText(vocab, kept);

        File.Delete(Path.Combine(dir.Path, Manifest.FileName));
        e = Assert.Throws<InvalidDataException>(() => PreparedCorpus.Open(dir.Path));
        Assert.Contains("attend prepare", e.Message);
    }
}
