using System.Text;
using Attend.Tests.Training;
using Attend.Training;

namespace Attend.Tests.Cli;

/// <summary>
/// `attend translate` and `attend tokenize` give one output line per input line whatever the bytes: a CR inside a line
/// does not split it, an empty line gives an empty line, binary input is an error naming the line, and a line past
/// --max-input-tokens is refused instead of decoded for minutes.
/// </summary>
public sealed class LineAlignmentTests : IDisposable
{
    private readonly string _dir = RepoPaths.TempDir("lines");
    private readonly string _run;

    public LineAlignmentTests()
    {
        _run = Path.Combine(_dir, "run");
        TrainingRun.Start(TrainerTests.Tiny(_run, 3), false, new RecordingObserver()).Run();
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private static (int Code, string[] Lines, string Err) Attend(byte[] stdin, params string[] args)
    {
        using var p = new CliProcess(args);
        p.WriteBytes(stdin);
        p.CloseInput();
        int code = p.Wait(TimeSpan.FromSeconds(120));
        var text = p.Stdout;
        var lines = text.Length == 0 ? [] : text.TrimEnd('\n').Replace("\r", "").Split('\n');
        return (code, lines, p.Stderr);
    }

    [Fact]
    public void Translate_keeps_one_output_line_per_input_line()
    {
        // Line 2 is empty, line 3 holds a lone CR (a space under the rule) and ends in CRLF.
        var (code, lines, err) = Attend(Encoding.UTF8.GetBytes("3/5/79\n\nMay\r3, 1979\r\n12/1/80\n"),
            "translate", "--model", _run, "--beam", "1");
        Assert.True(code == 0, err);
        Assert.Equal(4, lines.Length);
        Assert.Equal("", lines[1]);
        Assert.NotEqual("", lines[0]);
        var alone = Attend(Encoding.UTF8.GetBytes("May 3, 1979\n12/1/80\n"), "translate", "--model", _run, "--beam", "1");
        Assert.Equal(alone.Lines, lines[2..]);

        // The same rule with --input and --output files.
        var input = Path.Combine(_dir, "in.txt");
        File.WriteAllBytes(input, Encoding.UTF8.GetBytes("3/5/79\n\nMay\r3, 1979\r\n12/1/80\n"));
        var output = Path.Combine(_dir, "out.txt");
        (code, _, err) = Attend([], "translate", "--model", _run, "--beam", "1", "--input", input, "--output", output);
        Assert.True(code == 0, err);
        Assert.Equal(lines, File.ReadAllLines(output));
    }

    [Fact]
    public void Binary_input_is_an_error_naming_the_line_not_extra_lines()
    {
        var (code, _, err) = Attend([(byte)'1', (byte)'\n', 0x00, 0xFF, (byte)'\r', 0xFE, (byte)'\n'], "translate", "--model", _run, "--beam", "1");
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("<stdin>:2: NUL byte", err);

        (code, _, err) = Attend([(byte)'a', (byte)' ', 0xC3, (byte)'\n'], "tokenize");
        Assert.Equal(2, code);
        Assert.Contains("<stdin>:1: invalid UTF-8", err);

        var (okCode, lines, okErr) = Attend(Encoding.UTF8.GetBytes("a\rb.\nc\n"), "tokenize");
        Assert.True(okCode == 0, okErr);
        Assert.Equal(["a b ￭.", "c"], lines);
    }

    [Fact]
    public void A_line_past_max_input_tokens_is_refused_with_its_number()
    {
        var (code, _, err) = Attend(Encoding.UTF8.GetBytes("3/5/79\n" + new string('7', 40) + "\n"),
            "translate", "--model", _run, "--beam", "1", "--max-input-tokens", "20");
        Assert.Equal(2, code);
        Assert.Contains("line 2 has 40 tokens, more than the limit of 20", err);
        Assert.Contains("--max-input-tokens", err);
        Assert.DoesNotContain("   at ", err);
    }
}
