using System.Text;
using Attend.Text;

namespace Attend.Tests.Text;

/// <summary>
/// The one line reader of the line-aligned verbs (TextFile): only LF ends a line, a CRLF ending is stripped, a lone
/// CR is a space, NUL and invalid UTF-8 are errors naming the line. So output line i always belongs to input line i.
/// </summary>
public class LineRulesTests
{
    private static List<string> Read(byte[] bytes) =>
        TextFile.ReadLines(new MemoryStream(bytes), "<test>").Select(l => l.Text).ToList();

    [Fact]
    public void Only_lf_ends_a_line_and_a_lone_cr_is_a_space()
    {
        var lines = Read(Encoding.UTF8.GetBytes("one\r\ntwo\rhalves\r\n\nfour\u2028still four\n\rfive\r"));
        Assert.Equal(["one", "two halves", "", "four\u2028still four", " five"], lines);
    }

    [Fact]
    public void Nul_and_invalid_utf8_are_errors_naming_the_line()
    {
        var e = Assert.Throws<TextDataException>(() => Read([(byte)'a', (byte)'\n', (byte)'b', 0, (byte)'c', (byte)'\n']));
        Assert.Equal(2, e.Line);
        Assert.Contains("<test>:2: NUL byte at byte 2", e.Message);

        e = Assert.Throws<TextDataException>(() => Read([(byte)'a', (byte)'\n', (byte)'\n', (byte)'x', 0xC3, 0x28, (byte)'\n']));
        Assert.Equal(3, e.Line);
        Assert.Contains("invalid UTF-8", e.Message);
    }
}
