using Attend.Tensors;
using Attend.Text;

namespace Attend.Tests.Text;

public class BpeTests
{
    /// <summary>
    /// Sennrich et al.'s toy corpus {low:5, lower:2, newest:6, widest:3}. Worked by hand (ties go to the larger
    /// pair, comparing the left symbols first, as subword-nmt's max over (count, pair) does):
    ///  1. (e,s)=9 and (s,t&lt;/w&gt;)=9 tie; 's' &gt; 'e' → s t&lt;/w&gt;
    ///  2. (e,st&lt;/w&gt;)=9                     → e st&lt;/w&gt;
    ///  3. (l,o)=7                               → l o
    ///  4. 6-way... (n,e)=6 (e,w)=6 (w,est&lt;/w&gt;)=6; 'w' largest → w est&lt;/w&gt;
    ///  5. (n,e)=6 (e,west&lt;/w&gt;)=6; 'n' &gt; 'e' → n e
    ///  6. (ne,west&lt;/w&gt;)=6                   → ne west&lt;/w&gt;
    ///  7. (lo,w&lt;/w&gt;)=5                       → lo w&lt;/w&gt;
    ///  8. (w,i)=(i,d)=(d,est&lt;/w&gt;)=3; 'w' largest → w i
    ///  9. (wi,d)=(d,est&lt;/w&gt;)=3; 'wi' &gt; 'd'  → wi d
    /// 10. (wid,est&lt;/w&gt;)=3                    → wid est&lt;/w&gt;
    /// 11. lower = lo w e r&lt;/w&gt; ×2: (lo,w)=(w,e)=(e,r&lt;/w&gt;)=2; 'w' largest → w e
    /// 12. (lo,we)=(we,r&lt;/w&gt;)=2; 'we' &gt; 'lo' → we r&lt;/w&gt;
    /// 13. (lo,wer&lt;/w&gt;)=2                     → lo wer&lt;/w&gt;; then every word is one symbol.
    /// </summary>
    private static readonly (string, string)[] ToyMerges =
    [
        ("s", "t</w>"), ("e", "st</w>"), ("l", "o"), ("w", "est</w>"), ("n", "e"), ("ne", "west</w>"), ("lo", "w</w>"),
        ("w", "i"), ("wi", "d"), ("wid", "est</w>"), ("w", "e"), ("we", "r</w>"), ("lo", "wer</w>"),
    ];

    private static Dictionary<string, long> Toy() => new() { ["low"] = 5, ["lower"] = 2, ["newest"] = 6, ["widest"] = 3 };

    [Fact]
    public void Learns_the_hand_computed_merges()
    {
        var codes = BpeLearner.Learn(Toy(), new BpeLearnOptions(Merges: 100, MinFrequency: 1));
        Assert.Equal(ToyMerges, codes.Merges);
    }

    [Fact]
    public void Min_frequency_and_vocab_size_stop_learning()
    {
        Assert.Equal(ToyMerges[..10], BpeLearner.Learn(Toy(), new BpeLearnOptions(100, MinFrequency: 3)).Merges);
        Assert.Equal(ToyMerges[..4], BpeLearner.Learn(Toy(), new BpeLearnOptions(4, MinFrequency: 1)).Merges);
        // Character symbols: l o w</w> w e r</w> n e s t</w> i d → 11 distinct; vocab size 14 leaves 3 merges.
        Assert.Equal(ToyMerges[..3], BpeLearner.Learn(Toy(), new BpeLearnOptions(VocabSize: 14, MinFrequency: 1)).Merges);
    }

    [Fact]
    public void Applies_merges_by_rank_with_continuation_markers()
    {
        var seg = new BpeSegmenter(new BpeCodes(ToyMerges));
        // lowest: s t</w> (rank 0) → e st</w> (1) → l o (2) → w est</w> (3) → lo west</w>
        Assert.Equal(["lo@@", "west"], seg.SegmentWord("lowest"));
        Assert.Equal(["newest"], seg.SegmentWord("newest"));
        // wider: w i → wi, wi d → wid; no listed merge joins e and r</w> (only we r</w>).
        Assert.Equal(["lo@@", "west", "wid@@", "e@@", "r"], seg.Segment(["lowest", "wider"]));
        Assert.Equal(["lowest", "wider"], BpeSegmenter.Desegment(["lo@@", "west", "wid@@", "e@@", "r"]));
        Assert.Equal(["x@@", "y@@", "z"], seg.SegmentWord("xyz"));
    }

    [Fact]
    public void Dropout_is_seeded_and_still_desegments_exactly()
    {
        var seg = new BpeSegmenter(new BpeCodes(ToyMerges));
        string[] line = ["newest", "widest", "lowest", "newest", "widest"];
        var a = seg.Segment(line, 0.5, new Rng(7));
        Assert.Equal(a, seg.Segment(line, 0.5, new Rng(7)));
        Assert.NotEqual(seg.Segment(line), a); // p = 0.5 over 5 words splits something with this seed
        Assert.Equal(line, BpeSegmenter.Desegment(a));
        Assert.Equal(["n@@", "e@@", "w@@", "e@@", "s@@", "t"], seg.Segment(["newest"], 0.999999, new Rng(1)));
    }

    [Fact]
    public void Codes_file_round_trips_in_subword_nmt_format()
    {
        using var dir = new TempDir();
        var codes = new BpeCodes(ToyMerges);
        string path = dir.File("codes");
        codes.Save(path);
        var text = File.ReadAllText(path);
        Assert.StartsWith("#version: 0.2\ns t</w>\ne st</w>\n", text);
        Assert.Equal(ToyMerges, BpeCodes.Load(path).Merges);
    }

    [Theory]
    [InlineData("a b\n", 1, "header")]
    [InlineData("#version: 0.2\na b\nab\n", 3, "two symbols")]
    [InlineData("#version: 0.2\na b c\n", 2, "two symbols")]
    [InlineData("#version: 0.2\na  b\n", 2, "two symbols")]
    [InlineData("#version: 0.2\n\n", 2, "two symbols")]
    [InlineData("", 1, "empty codes file")]
    public void Malformed_codes_file_names_the_line(string content, int line, string reason)
    {
        using var dir = new TempDir();
        string path = dir.File("bad.codes", content);
        var e = Assert.Throws<TextDataException>(() => BpeCodes.Load(path));
        Assert.Equal(line, e.Line);
        Assert.Contains($"{path}:{line}:", e.Message);
        Assert.Contains(reason, e.Message);
    }
}
