using System.CommandLine;
using Attend.Cli.Commands;
using Attend.Text;

namespace Attend.Tests.Text;

/// <summary>Runs the text verbs in-process on temp files, capturing stdout/stderr through System.CommandLine.</summary>
public class TextCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand("test") { VocabCommand.Build(), BpeCommand.Build(), TokenizeCommand.Build() };
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandGuard.Invoke(root, args, new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private const string Corpus = "low low low low low\nlower lower newest newest newest\nnewest newest newest widest widest widest\n";

    [Fact]
    public void Bpe_learn_apply_desegment_round_trip()
    {
        using var dir = new TempDir();
        string text = dir.File("train.txt", Corpus), codes = dir.File("codes"), seg = dir.File("seg"), back = dir.File("back");
        var learn = Run("bpe", "learn", "-i", text, "-o", codes, "--merges", "100", "--min-frequency", "1");
        Assert.Equal(0, learn.Code);
        Assert.Contains("learned 13 merges", learn.Err);
        Assert.Equal(14, File.ReadAllLines(codes).Length);

        string input = dir.File("in.txt", "lowest newest\nwider\n");
        Assert.Equal(0, Run("bpe", "apply", "-c", codes, "-i", input, "-o", seg).Code);
        Assert.Equal("lo@@ west newest\nwid@@ e@@ r\n", File.ReadAllText(seg));
        Assert.Equal(0, Run("bpe", "desegment", "-i", seg, "-o", back).Code);
        Assert.Equal("lowest newest\nwider\n", File.ReadAllText(back));
    }

    [Fact]
    public void Word_tokenization_through_the_cli_detokenizes_exactly()
    {
        using var dir = new TempDir();
        string raw = dir.File("raw.txt", "Hello,\u00A0world! It's 3.5 km.\n\"Yes\" (no).\n");
        string codes = dir.File("codes"), seg = dir.File("seg"), back = dir.File("back");
        Assert.Equal(0, Run("bpe", "learn", "-i", raw, "-o", codes, "--merges", "20", "--tokenize", "Word").Code);
        Assert.Equal(0, Run("bpe", "apply", "-c", codes, "-i", raw, "-o", seg, "--tokenize", "Word").Code);
        Assert.Contains("￭", File.ReadAllText(seg));
        Assert.Equal(0, Run("bpe", "desegment", "-i", seg, "-o", back, "--detokenize", "Word").Code);
        Assert.Equal("Hello, world! It's 3.5 km.\n\"Yes\" (no).\n", File.ReadAllText(back));
    }

    [Fact]
    public void Vocab_writes_a_loadable_file_and_reports_fingerprint_and_stats()
    {
        using var dir = new TempDir();
        string text = dir.File("t.txt", Corpus), vocab = dir.File("vocab.txt");
        var r = Run("vocab", "-i", text, "-o", vocab, "--min-frequency", "3");
        Assert.Equal(0, r.Code);
        var v = Vocabulary.Load(vocab);
        Assert.Equal(["<pad>", "<s>", "</s>", "<unk>", "newest", "low", "widest"], v.Tokens);
        Assert.Contains(v.Fingerprint, r.Err);
        Assert.Contains("3 sentences, 16 tokens", r.Err);
    }

    [Fact]
    public void Bad_input_is_one_line_and_exit_code_2()
    {
        using var dir = new TempDir();
        string badCodes = dir.File("bad.codes", "#version: 0.2\nthis is wrong\n");
        string input = dir.File("in.txt", "a b\n");
        var r = Run("bpe", "apply", "-c", badCodes, "-i", input, "-o", dir.File("o"));
        Assert.Equal(2, r.Code);
        Assert.Equal($"attend bpe apply: {badCodes}:2: expected two symbols separated by one space, found 'this is wrong'\n", r.Err);

        string missing = Path.Combine(dir.Path, "missing.txt");
        r = Run("vocab", "-i", missing, "-o", dir.File("v"));
        Assert.Equal((2, $"attend vocab: {missing}: file not found\n"), (r.Code, r.Err));

        string badUtf8 = dir.Bytes("bad.txt", [(byte)'o', (byte)'k', 10, 0xFF, 10]);
        r = Run("bpe", "learn", "-i", badUtf8, "-o", dir.File("c"));
        Assert.Equal(2, r.Code);
        Assert.StartsWith($"attend bpe learn: {badUtf8}:2: invalid UTF-8", r.Err);
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));

        r = Run("bpe", "apply", "-c", badCodes, "--dropout", "1.5", "-i", input);
        Assert.Equal(2, r.Code);
        Assert.Equal("attend bpe apply: --dropout: expected a number in [0, 1), got '1.5'\n", r.Err);
    }

    [Fact]
    public void Tokenize_takes_a_tsv_column_and_reverses()
    {
        using var dir = new TempDir();
        string tsv = dir.File("pairs.tsv", "Go.\tVa\u202F!\nI'm home, Tom.\tJe suis chez moi, Tom.\n");
        string tok = dir.File("fr.tok"), back = dir.File("fr.txt");
        Assert.Equal(0, Run("tokenize", "-i", tsv, "-o", tok, "--column", "1").Code);
        Assert.Equal("Va !\nJe suis chez moi ￭, Tom ￭.\n", File.ReadAllText(tok));
        Assert.Equal(0, Run("tokenize", "-i", tok, "-o", back, "--reverse").Code);
        Assert.Equal("Va !\nJe suis chez moi, Tom.\n", File.ReadAllText(back));

        var r = Run("tokenize", "-i", tsv, "-o", tok, "--column", "2");
        Assert.Equal((2, $"attend tokenize: {tsv}:1: 2 tab-separated fields, --column 2 needs 3\n"), (r.Code, r.Err));
    }

    [Fact]
    public void Help_lists_the_options()
    {
        var r = Run("bpe", "learn", "--help");
        Assert.Equal(0, r.Code);
        foreach (var option in new[] { "--input", "--output", "--merges", "--vocab-size", "--min-frequency", "--tokenize" })
            Assert.Contains(option, r.Out);
        Assert.Contains("--dropout", Run("bpe", "apply", "--help").Out);
        Assert.Contains("--max-size", Run("vocab", "--help").Out);
    }

    [Fact]
    public void Program_entry_point_wires_the_verbs()
    {
        using var dir = new TempDir();
        string text = dir.File("t.txt", Corpus), vocab = dir.File("v.txt");
        var main = typeof(VocabCommand).Assembly.EntryPoint!;
        var code = main.Invoke(null, [new[] { "vocab", "-i", text, "-o", vocab, "--no-frequencies" }]);
        Assert.Equal(0, code);
        Assert.Equal("<pad>\n<s>\n</s>\n<unk>\nnewest\nlow\nwidest\nlower\n", File.ReadAllText(vocab));
    }
}
