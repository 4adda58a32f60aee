using Attend.Evaluation;
using Attend.Evaluation.Alignment;
using Attend.Testing;

namespace Attend.Tests.Evaluation;

public class AlignmentTests
{
    private static string Wpt(string f) => Fixtures.FilePath("data", "alignment", "wpt03-en-fr", f);
    private static string AlibiDir => Fixtures.Dir("data", "alignment", "alibi-fr-en");

    [Fact]
    public void Aer_matches_a_hand_computed_example()
    {
        // Gold: sure {0-0, 1-1}, possible adds {1-2}. Hypothesis {0-0, 1-2, 2-2}.
        var g = new GoldSentence();
        g.Add(new(0, 0), sure: true);
        g.Add(new(1, 1), sure: true);
        g.Add(new(1, 2), sure: false);
        var hyp = new List<AlignmentLink> { new(0, 0), new(1, 2), new(2, 2) };
        var s = AlignmentMetrics.Score([hyp], [g]);
        // |A| = 3, |S| = 2, |A∩S| = 1 (0-0), |A∩P| = 2 (0-0, 1-2).
        Assert.Equal((3L, 2L, 1L, 2L), (s.Hypothesis, s.Sure, s.HypAndSure, s.HypAndPossible));
        Assert.Equal(2.0 / 3, s.Precision, 12);
        Assert.Equal(0.5, s.Recall, 12);
        Assert.Equal(1 - 3.0 / 5, s.Aer, 12);
    }

    [Fact]
    public void Wpt03_test_gold_has_the_documented_link_counts_and_index_bases()
    {
        var gold = GoldReader.Read(Wpt("test.wa.nonullalign"), GoldFormat.Naacl, GoldOrder.SourceFirst, 447);
        Assert.Equal((4038, 13400), (gold.SureLinks, gold.PossibleLinks));
        Assert.Equal(447, gold.Sentences.Count);
        Assert.Equal(17438, gold.Sentences.Sum(s => s.Possible.Count));
        // "0001 1 1 S" is the first line: 1-based in the file, 0-based here.
        Assert.Contains(new AlignmentLink(0, 0), gold.Sentences[0].Sure);
        var en = SegmentFile.Read(Wpt("test.e"));
        var fr = SegmentFile.Read(Wpt("test.f"));
        for (int i = 0; i < en.Count; i++)
        {
            int enLen = PyText.Split(en[i]).Count, frLen = PyText.Split(fr[i]).Count;
            Assert.True(gold.Sentences[i].Possible.All(l => l.Source < enLen && l.Target < frLen), $"sentence {i + 1}: link out of range");
        }
    }

    [Fact]
    public void Wpt03_dev_gold_counts()
    {
        var gold = GoldReader.Read(Wpt("dev.wa.nonullalign"), GoldFormat.Naacl, GoldOrder.SourceFirst, 37);
        Assert.Equal((338, 1446), (gold.SureLinks, gold.PossibleLinks));
    }

    [Fact]
    public void Alibi_gold_totals_match_the_readme_and_index_the_right_sides()
    {
        int sure = 0, possible = 0, pairs = 0;
        foreach (var dir in Directory.GetDirectories(AlibiDir))
        {
            string name = Path.GetFileName(dir);
            string fr = name[..name.IndexOf('_')], en = name[(name.IndexOf('_') + 1)..];
            var gold = GoldReader.Read(Path.Combine(dir, $"ali_w2w_{name}.txt"), GoldFormat.Alibi, GoldOrder.SourceFirst);
            sure += gold.SureLinks;
            possible += gold.PossibleLinks;
            var frLines = SegmentFile.Read(Path.Combine(dir, fr + "_sents.txt"));
            var enLines = SegmentFile.Read(Path.Combine(dir, en + "_sents.txt"));
            pairs += frLines.Count;
            // French comes first in the file, so with SourceFirst the source side is French.
            for (int i = 0; i < gold.Sentences.Count; i++)
            {
                int frLen = PyText.Split(frLines[i].Split('\t', 2)[1]).Count, enLen = PyText.Split(enLines[i].Split('\t', 2)[1]).Count;
                Assert.True(gold.Sentences[i].Possible.All(l => l.Source < frLen && l.Target < enLen), $"{name} sentence {i}: link out of range");
            }
        }
        Assert.Equal((522, 8452, 14147), (pairs, sure, possible));
    }

    [Theory]
    [InlineData("naacl")]
    [InlineData("alibi")]
    public void Gold_against_itself_has_aer_zero(string format)
    {
        var gold = format == "naacl"
            ? GoldReader.Read(Wpt("test.wa.nonullalign"), GoldFormat.Naacl, GoldOrder.SourceFirst, 447)
            : GoldReader.Read(Path.Combine(AlibiDir, "LAuberge_TheInn", "ali_w2w_LAuberge_TheInn.txt"), GoldFormat.Alibi, GoldOrder.SourceFirst);
        var hyp = gold.Sentences.Select(s => (IReadOnlyCollection<AlignmentLink>)s.Sure).ToList();
        var score = AlignmentMetrics.Score(hyp, gold.Sentences);
        Assert.Equal(0.0, score.Aer, 12);
        Assert.Equal(1.0, score.Precision, 12);
        Assert.Equal(1.0, score.Recall, 12);
    }

    [Fact]
    public void Target_first_swaps_the_sides()
    {
        var st = GoldReader.Read(Wpt("dev.wa.nonullalign"), GoldFormat.Naacl, GoldOrder.SourceFirst);
        var ts = GoldReader.Read(Wpt("dev.wa.nonullalign"), GoldFormat.Naacl, GoldOrder.TargetFirst);
        Assert.Equal(st.Sentences[0].Sure.Select(l => new AlignmentLink(l.Target, l.Source)).ToHashSet(), ts.Sentences[0].Sure);
    }

    [Fact]
    public void Hard_alignments_from_attention()
    {
        float[][] w = [[0.7f, 0.2f, 0.1f], [0.1f, 0.45f, 0.45f], [0.0f, 0.3f, 0.7f]];
        Assert.Equal("0-0 1-1 2-2", Pharaoh.Format(HardAlignment.Argmax(w)));
        Assert.Equal("0-0 1-1 2-1 2-2", Pharaoh.Format(HardAlignment.Threshold(w, 0.4f)));
        Assert.Equal([new(0, 0), new(1, 1), new(2, 1), new(2, 2)], Pharaoh.ParseLine("0-0 1-1 2-1 2-2", "x", 1));
    }

    [Fact]
    public void Malformed_gold_line_names_file_and_line()
    {
        string f = Path.GetTempFileName();
        File.WriteAllText(f, "0001 1 1 S\n0001 x 2 S\n");
        var e = Assert.Throws<EvaluationInputException>(() => GoldReader.Read(f, GoldFormat.Naacl, GoldOrder.SourceFirst));
        Assert.Contains(":2:", e.Message);
        File.Delete(f);
    }
}
