using System.CommandLine;
using Attend.Text;

namespace Attend.Cli.Commands;

/// <summary>`attend tokenize`: normalize and tokenize text (or detokenize it with --reverse), streaming line by line.</summary>
internal static class TokenizeCommand
{
    public static Command Build()
    {
        var input = new Option<string[]>("--input", "-i") { Description = "Input files (default: stdin).", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "Output file (default: stdout)." };
        var kind = new Option<TokenizerKind>("--tokenizer", "-t")
        {
            Description = "Word (punctuation split off, ￭ joiners), Char (▁ for spaces) or Whitespace.",
            DefaultValueFactory = _ => TokenizerKind.Word,
        };
        var reverse = new Option<bool>("--reverse") { Description = "Detokenize instead: tokens back to text." };
        var column = NumericOption.Optional("--column",
            "Tab-separated input (e.g. Tatoeba's English<TAB>French): take this 0-based field of each line.", 0, int.MaxValue);
        var lowercase = TextCommandSupport.LowercaseOption();
        var form = TextCommandSupport.FormOption();

        var cmd = new Command("tokenize", "Normalize (NFC/NFKC, spaces, controls) and tokenize text, one sentence per line; " +
                                          "--reverse detokenizes. Tokenize, then detokenize, gives back the normalized text exactly.");
        foreach (var o in new Option[] { input, output, kind, reverse, column, lowercase, form }) cmd.Options.Add(o);
        cmd.SetAction(parse => TextCommandSupport.Run(parse, "tokenize", _ =>
        {
            var tokenizer = Tokenizers.Create(parse.GetValue(kind));
            var normalizer = new Normalizer(new NormalizerOptions(parse.GetValue(form), parse.GetValue(lowercase)));
            bool back = parse.GetValue(reverse);
            int? field = parse.GetValue(column);
            using var target = TextCommandSupport.OpenOutput(parse.GetValue(output), parse.GetValue(input));
            foreach (var (source, raw) in TextCommandSupport.ReadSourcedLines(parse.GetValue(input)))
            {
                string line = field is int f ? Field(raw.Text, f, source, raw.Number) : raw.Text;
                target.Writer.WriteLine(back
                    ? tokenizer.Detokenize(line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    : string.Join(' ', tokenizer.Tokenize(normalizer.Normalize(line))));
            }
            target.Commit();
            return 0;
        }));
        return cmd;
    }

    private static string Field(string line, int field, string source, long number)
    {
        var fields = line.Split('\t');
        if (field >= fields.Length)
            throw new TextDataException($"{fields.Length} tab-separated fields, --column {field} needs {field + 1}", source, number);
        return fields[field];
    }
}
