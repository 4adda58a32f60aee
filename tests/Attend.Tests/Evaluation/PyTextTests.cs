using Attend.Evaluation;

namespace Attend.Tests.Evaluation;

public class PyTextTests
{
    [Fact]
    public void Split_uses_pythons_whitespace_set()
    {
        Assert.Equal(["a", "b", "c", "d", "e"], PyText.Split("a\u001Cb\u00A0c\u3000d\u202Fe"));
        Assert.Equal(["a\u200Bb"], PyText.Split("  a\u200Bb\u0085"));
    }

    [Fact]
    public void Lower_does_full_mapping_and_final_sigma()
    {
        Assert.Equal("i\u0307stanbul", PyText.Lower("İSTANBUL"));
        Assert.Equal("οδυσσευς", PyText.Lower("ΟΔΥΣΣΕΥΣ"));
        Assert.Equal("σ", PyText.Lower("Σ"));
        Assert.Equal("hizli", PyText.Lower("HIZLI"));
        Assert.Equal("𐐨", PyText.Lower("𐐀"));
    }

    [Fact]
    public void Segment_file_splits_on_newline_only_and_rstrips()
    {
        Assert.Equal(["a\rb", "c", "", "  d"], SegmentFile.Parse("a\rb\nc \t\r\n\u00A0\n  d\n"));
        Assert.Equal(["x"], SegmentFile.Parse("x"));
        Assert.Empty(SegmentFile.Parse(""));
    }
}
