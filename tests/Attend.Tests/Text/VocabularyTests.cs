using Attend.Text;

namespace Attend.Tests.Text;

public class VocabularyTests
{
    private static readonly string[] Lines = ["the cat sat", "the dog sat", "the end"];

    [Fact]
    public void Specials_first_then_by_frequency_then_ordinal()
    {
        var v = Vocabulary.Build(Lines);
        Assert.Equal(["<pad>", "<s>", "</s>", "<unk>", "the", "sat", "cat", "dog", "end"], v.Tokens);
        Assert.Equal((0, 1, 2, 3), (v["<pad>"], v["<s>"], v["</s>"], v["<unk>"]));
        Assert.Equal([4, 6, Vocabulary.Unk], v.Encode(["the", "cat", "zebra"]));
        Assert.Equal(["the", "cat"], v.Decode([Vocabulary.Bos, 4, 6, Vocabulary.Eos, 5, 0]));
    }

    [Fact]
    public void Min_frequency_and_max_size_limit_it()
    {
        Assert.Equal(["<pad>", "<s>", "</s>", "<unk>", "the", "sat"], Vocabulary.Build(Lines, minFrequency: 2).Tokens);
        Assert.Equal(["<pad>", "<s>", "</s>", "<unk>", "the"], Vocabulary.Build(Lines, maxSize: 5).Tokens);
    }

    [Fact]
    public void Save_load_keeps_tokens_frequencies_and_fingerprint()
    {
        using var dir = new TempDir();
        var v = Vocabulary.Build(Lines);
        foreach (bool freq in new[] { true, false })
        {
            string path = dir.File($"vocab{freq}.txt");
            v.Save(path, freq);
            var w = Vocabulary.Load(path);
            Assert.Equal(v.Tokens, w.Tokens);
            Assert.Equal(v.Fingerprint, w.Fingerprint);
            Assert.Equal(freq ? 3 : 0, w.Frequencies[4]);
        }
        Assert.Equal("<pad>\n<s>\n</s>\n<unk>\nthe\t3\nsat\t2\ncat\t1\ndog\t1\nend\t1\n", File.ReadAllText(dir.File("vocabTrue.txt")));
        Assert.Matches("^[0-9a-f]{64}$", v.Fingerprint);
        Assert.NotEqual(v.Fingerprint, Vocabulary.Build(["the cat sat", "the dog sat", "the end", "end"]).Fingerprint);
    }

    [Theory]
    [InlineData("<pad>\n<s>\n</s>\n<unk>\nthe\t3\ncat\tmany\n", 6, "not a non-negative integer")]
    [InlineData("<pad>\n<s>\n<unk>\n</s>\n", 3, "expected special token '</s>'")]
    [InlineData("<pad>\n<s>\n</s>\n<unk>\nthe\nthe\n", 6, "duplicate token 'the'")]
    [InlineData("<pad>\n<s>\n</s>\n<unk>\n\n", 5, "empty token")]
    [InlineData("<pad>\n<s>\n</s>\n<unk>\na b\t1\n", 5, "contains a space")]
    [InlineData("<pad>\n<s>\n</s>\n<unk>\nx\t1\t2\n", 5, "tab-separated fields")]
    public void Bad_vocab_file_names_the_line(string content, int line, string reason)
    {
        using var dir = new TempDir();
        string path = dir.File("bad.vocab", content);
        var e = Assert.Throws<TextDataException>(() => Vocabulary.Load(path));
        Assert.Equal(line, e.Line);
        Assert.Contains($"{path}:{line}: ", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Too_short_vocab_file_is_an_error()
    {
        using var dir = new TempDir();
        string path = dir.File("short.vocab", "<pad>\n<s>\n");
        Assert.Contains("special tokens", Assert.Throws<TextDataException>(() => Vocabulary.Load(path)).Message);
    }

    [Fact]
    public void Corpus_stats_count_tokens_oov_and_lengths()
    {
        var v = Vocabulary.Build(Lines, minFrequency: 2); // the, sat
        var stats = CorpusStats.Compute([["the", "cat", "sat"], ["the", "end"], ["a", "b", "c", "d", "e"]], v, binWidth: 2);
        Assert.Equal((3L, 10L, 7L, 5), (stats.Sentences, stats.Tokens, stats.OovTokens, stats.MaxLength));
        Assert.Equal(0.7, stats.OovRate, 12);
        Assert.Equal([0L, 2, 1], stats.Histogram); // lengths 3 and 2 → bin 1; 5 → bin 2
        Assert.Contains("OOV rate 70.00", stats.ToString());
    }
}
