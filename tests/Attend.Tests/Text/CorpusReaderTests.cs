using System.Text;
using Attend.Text;

namespace Attend.Tests.Text;

public class CorpusReaderTests
{
    [Fact]
    public void Reads_aligned_plain_and_gzip_files_in_lockstep()
    {
        using var dir = new TempDir();
        string de = dir.Gzip("a.de.gz", "Hallo Welt\nGuten Tag\r\n");
        string en = dir.File("a.en", "\uFEFFHello world\nGood day");
        var pairs = ParallelCorpus.ReadAligned(de, en).ToList();
        Assert.Equal([new SentencePair("Hallo Welt", "Hello world", 1), new SentencePair("Guten Tag", "Good day", 2)], pairs);
    }

    [Fact]
    public void Multi30k_val_reads_with_matching_counts()
    {
        var report = new CorpusReport();
        var pairs = ParallelCorpus.ReadAligned(TextTestData.Multi30k("val", "de"), TextTestData.Multi30k("val", "en"), report).ToList();
        Assert.Equal(1014, pairs.Count);
        Assert.Equal("A group of men are loading cotton onto a truck", pairs[0].Target);
        Assert.Equal(0, report.Skipped);
    }

    [Theory]
    [InlineData("a\nb\nc\n", "x\ny\n", 3, 2)]
    [InlineData("a\n", "x\ny\nz\nw\n", 1, 4)]
    public void Mismatched_line_counts_name_both_files_and_counts(string src, string tgt, int nSrc, int nTgt)
    {
        using var dir = new TempDir();
        string s = dir.File("src.txt", src), t = dir.File("tgt.txt", tgt);
        var e = Assert.Throws<TextDataException>(() => ParallelCorpus.ReadAligned(s, t).ToList());
        Assert.Contains($"{s} has {nSrc} lines", e.Message);
        Assert.Contains($"{t} has {nTgt} lines", e.Message);
    }

    [Fact]
    public void Invalid_utf8_names_file_and_line()
    {
        using var dir = new TempDir();
        var bytes = Encoding.UTF8.GetBytes("ok\nstill ok\nbad ").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\nfine\n")).ToArray();
        string path = dir.Bytes("bad.txt", bytes);
        var e = Assert.Throws<TextDataException>(() => TextFile.ReadLines(path).ToList());
        Assert.Equal(3, e.Line);
        Assert.StartsWith($"{path}:3: invalid UTF-8", e.Message);
    }

    [Fact]
    public void Empty_lines_are_skipped_and_counted()
    {
        using var dir = new TempDir();
        string s = dir.File("s", "a\n\nc\nd\n"), t = dir.File("t", "x\ny\n \nw\n");
        var report = new CorpusReport();
        var pairs = ParallelCorpus.ReadAligned(s, t, report).ToList();
        Assert.Equal([1L, 4L], pairs.Select(p => p.Line));
        Assert.Equal((4L, 2L, 1L, 1L), (report.LinesRead, report.Kept, report.EmptySource, report.EmptyTarget));
        Assert.Contains("2 skipped", report.ToString());
    }

    [Fact]
    public void Missing_file_and_corrupt_gzip_give_path_and_reason()
    {
        using var dir = new TempDir();
        string missing = Path.Combine(dir.Path, "nope.txt");
        var e1 = Assert.Throws<TextDataException>(() => TextFile.ReadLines(missing).ToList());
        Assert.Equal($"{missing}: file not found", e1.Message);

        // A valid gzip header followed by garbage: the deflate stream cannot be decoded.
        string corrupt = dir.Bytes("c.gz", [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0]);
        var e2 = Assert.Throws<TextDataException>(() => TextFile.ReadLines(corrupt).ToList());
        Assert.StartsWith($"{corrupt}: unreadable gzip data", e2.Message);

        string tiny = dir.Bytes("t.gz", [0x1F, 0x8B, 0x08]);
        Assert.StartsWith($"{tiny}: unreadable gzip data (3 bytes is too short", Assert.Throws<TextDataException>(() => TextFile.ReadLines(tiny).ToList()).Message);
    }

    [Fact]
    public void Truncated_gzip_is_an_error_not_a_shorter_corpus()
    {
        using var dir = new TempDir();
        string whole = dir.Gzip("whole.gz", string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i} {i * 7919 % 1000}\n")));
        Assert.Equal(5000, TextFile.ReadLines(whole).Count());
        var bytes = File.ReadAllBytes(whole);
        string cut = dir.Bytes("cut.gz", bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<TextDataException>(() => TextFile.ReadLines(cut).Count());
        Assert.StartsWith($"{cut}: unreadable gzip data", e.Message);
        Assert.Contains("truncated or corrupt", e.Message);
    }

    [Fact]
    public void Tsv_reads_chosen_columns_and_rejects_short_lines()
    {
        using var dir = new TempDir();
        string path = dir.File("p.tsv", "Go.\tVa !\tCC-BY\nHi.\tSalut !\n");
        Assert.Equal(["Va ! → Go.", "Salut ! → Hi."],
            ParallelCorpus.ReadTsv(path, sourceColumn: 1, targetColumn: 0).Select(p => $"{p.Source} → {p.Target}"));
        string bad = dir.File("b.tsv", "Go.\tVa !\nno tab here\n");
        var e = Assert.Throws<TextDataException>(() => ParallelCorpus.ReadTsv(bad).ToList());
        Assert.StartsWith($"{bad}:2: expected at least 2 tab-separated fields", e.Message);
    }

    [Fact]
    public void Named_splits_find_gzip_files()
    {
        var splits = CorpusSplits.LoadNamed(Path.GetDirectoryName(TextTestData.Multi30k("val", "en"))!, "de", "en");
        Assert.Equal((29000, 1014, 1000), (splits.Train.Count, splits.Dev.Count, splits.Test.Count));
    }

    [Fact]
    public void Seeded_tatoeba_split_keeps_each_english_sentence_on_one_side()
    {
        var pairs = ParallelCorpus.ReadTsv(TextTestData.Tatoeba).ToList();
        var a = CorpusSplits.SplitSeeded(pairs, 0.05, 0.05, seed: 42);
        var b = CorpusSplits.SplitSeeded(pairs, 0.05, 0.05, seed: 42);
        Assert.Equal(a.Test, b.Test);
        Assert.Equal(135842, a.Train.Count + a.Dev.Count + a.Test.Count);
        var train = a.Train.Select(p => p.Source).ToHashSet();
        var dev = a.Dev.Select(p => p.Source).ToHashSet();
        Assert.DoesNotContain(a.Test, p => train.Contains(p.Source) || dev.Contains(p.Source));
        Assert.DoesNotContain(a.Dev, p => train.Contains(p.Source));
        int groups = pairs.Select(p => p.Source).Distinct().Count();
        Assert.Equal((int)Math.Round(groups * 0.05), a.Test.Select(p => p.Source).Distinct().Count());
        Assert.NotEqual(a.Test, CorpusSplits.SplitSeeded(pairs, 0.05, 0.05, seed: 43).Test);
    }

    [Fact]
    public void Grouping_by_source_or_target_follows_chains_of_shared_sentences()
    {
        // (a,x)-(b,x) share a target, (b,x)-(b,y) a source: one group of three; (c,z) and (d,w) are alone.
        var pairs = new[] { new SentencePair("a", "x", 1), new SentencePair("c", "z", 2), new SentencePair("b", "x", 3),
                            new SentencePair("b", "y", 4), new SentencePair("d", "w", 5) };
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var s = CorpusSplits.SplitSeeded(pairs, 0.34, 0.34, seed, SplitGrouping.BySourceOrTarget);
            var side = new[] { s.Train, s.Dev, s.Test }.SelectMany((l, k) => l.Select(p => (p.Line, k))).ToDictionary(x => x.Line, x => x.k);
            Assert.Equal(5, side.Count);
            Assert.True(side[1] == side[3] && side[3] == side[4], $"seed {seed}: the chain a-x, b-x, b-y was split");
            Assert.Equal(1, new[] { s.Train, s.Dev, s.Test }.Count(l => l.Count == 3)); // 3 groups: one per split
        }
    }

    [Fact]
    public void Tatoeba_grouped_by_source_or_target_shares_no_sentence_between_train_and_test()
    {
        var pairs = ParallelCorpus.ReadTsv(TextTestData.Tatoeba).Select(p => new SentencePair(p.Target, p.Source, p.Line)).ToList(); // fr→en
        var s = CorpusSplits.SplitSeeded(pairs, 0.01, 0.02, seed: 1, SplitGrouping.BySourceOrTarget);
        Assert.Equal(135842, s.Train.Count + s.Dev.Count + s.Test.Count);
        var fr = s.Train.Select(p => p.Source).ToHashSet();
        var en = s.Train.Select(p => p.Target).ToHashSet();
        Assert.DoesNotContain(s.Test.Concat(s.Dev), p => fr.Contains(p.Source) || en.Contains(p.Target));
    }
}
