using System.CommandLine;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Cli.Commands;

/// <summary>What the text verbs (vocab, bpe) share: common options, line I/O with stdin/stdout, and the rule
/// that bad input is one line on stderr and exit code 2, never a stack trace.</summary>
internal static class TextCommandSupport
{
    public const int BadInput = CommandGuard.BadInput;

    public static Option<TokenizerKind> TokenizeOption(TokenizerKind defaultKind) => new("--tokenize")
    {
        Description = "How to split lines into tokens: Whitespace (input is already tokenized), Word (normalize, then " +
                      "split punctuation with ￭ joiners), or Char.",
        DefaultValueFactory = _ => defaultKind,
    };

    public static Option<bool> LowercaseOption() => new("--lowercase")
    {
        Description = "Lowercase with ToLowerInvariant (culture-invariant) when --tokenize is Word or Char.",
    };

    public static Option<UnicodeForm> FormOption() => new("--unicode")
    {
        Description = "Unicode normalization when --tokenize is Word or Char: Nfc or Nfkc.",
        DefaultValueFactory = _ => UnicodeForm.Nfc,
    };

    /// <summary>Turns a raw line into tokens: pre-tokenized input is split as is; otherwise normalized first.</summary>
    public static Func<string, string[]> Tokenizer(TokenizerKind kind, bool lowercase, UnicodeForm form)
    {
        var tokenizer = Tokenizers.Create(kind);
        if (kind == TokenizerKind.Whitespace) return tokenizer.Tokenize;
        var normalizer = new Normalizer(new NormalizerOptions(form, lowercase));
        return line => tokenizer.Tokenize(normalizer.Normalize(line));
    }

    /// <summary>Lines of the given files in order (plain or gzip), or of stdin when the list is empty or "-".</summary>
    public static IEnumerable<string> ReadLines(IReadOnlyList<string>? paths) => ReadSourcedLines(paths).Select(x => x.Line.Text);

    /// <summary>The same lines with the file (or "&lt;stdin&gt;") and line number they came from, for error messages.</summary>
    public static IEnumerable<(string Source, TextLine Line)> ReadSourcedLines(IReadOnlyList<string>? paths)
    {
        if (paths is null || paths.Count == 0 || (paths.Count == 1 && paths[0] == "-"))
        {
            foreach (var line in TextFile.ReadLines(Console.OpenStandardInput(), "<stdin>")) yield return ("<stdin>", line);
            yield break;
        }
        foreach (var path in paths)
            foreach (var line in TextFile.ReadLines(path))
                yield return (path, line);
    }

    /// <summary>
    /// Checks that <paramref name="output"/> is none of the input files (nor a directory) and opens it, or stdout
    /// when it is null or "-"; the file appears only at <see cref="OutputTarget.Commit"/>.
    /// </summary>
    public static OutputTarget OpenOutput(string? output, IReadOnlyList<string>? inputs, params (string Flag, string? Path)[] otherInputs)
    {
        OutputFile.Check([("--output", output)], (inputs ?? []).Select(p => ("--input", (string?)p)).Concat(otherInputs));
        return OutputTarget.Open(output);
    }

    /// <summary>Runs a verb's body through <see cref="CommandGuard"/>: bad input is one line on stderr and exit code 2.</summary>
    public static int Run(ParseResult parse, string verb, Func<TextWriter, int> body) =>
        CommandGuard.Run(parse, verb, (_, error) => body(error));
}
