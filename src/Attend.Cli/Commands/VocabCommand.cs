using System.CommandLine;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Cli.Commands;

/// <summary>`attend vocab`: build a vocabulary file from text, like Joey NMT's build_vocab script.</summary>
internal static class VocabCommand
{
    public static Command Build()
    {
        var input = new Option<string[]>("--input", "-i")
        {
            Description = "Text files (plain or .gz), one sentence per line; several files give one joint vocabulary.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--output", "-o") { Description = "Vocabulary file to write.", Required = true };
        var minFreq = NumericOption.Create("--min-frequency", "Leave out tokens seen fewer times.", 1, int.MaxValue, 1);
        var maxSize = NumericOption.Create("--max-size", "At most this many entries, the 4 specials included (0: no limit).", 0, int.MaxValue, 0);
        var noFreq = new Option<bool>("--no-frequencies") { Description = "Write one token per line without the tab and frequency." };
        var tokenize = TextCommandSupport.TokenizeOption(TokenizerKind.Whitespace);
        var lowercase = TextCommandSupport.LowercaseOption();
        var form = TextCommandSupport.FormOption();

        var cmd = new Command("vocab", "Build a vocabulary (<pad> <s> </s> <unk>, then tokens by frequency) from text files " +
                                       "and print its size, fingerprint and the corpus statistics.");
        foreach (var o in new Option[] { input, output, minFreq, maxSize, noFreq, tokenize, lowercase, form }) cmd.Options.Add(o);
        cmd.SetAction(parse => TextCommandSupport.Run(parse, "vocab", log =>
        {
            string path = parse.GetValue(output)!;
            OutputFile.Check([("--output", path)], (parse.GetValue(input) ?? []).Select(p => ("--input", (string?)p)));
            var split = TextCommandSupport.Tokenizer(parse.GetValue(tokenize), parse.GetValue(lowercase), parse.GetValue(form));
            var sentences = new List<string[]>();
            foreach (var line in TextCommandSupport.ReadLines(parse.GetValue(input))) sentences.Add(split(line));
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var s in sentences) foreach (var t in s) counts[t] = counts.GetValueOrDefault(t) + 1;
            var vocab = Vocabulary.Build(counts, parse.GetValue(minFreq), parse.GetValue(maxSize));
            try { vocab.Save(path, withFrequencies: !parse.GetValue(noFreq)); }
            catch (Exception e) when (e is (IOException and not FileRefusedException) or UnauthorizedAccessException) { throw new TextDataException($"cannot write ({e.Message})", path); }
            log.WriteLine($"vocabulary: {vocab.Count} entries ({counts.Count} distinct tokens seen), fingerprint {vocab.Fingerprint}, written to {path}");
            log.Write(CorpusStats.Compute(sentences, vocab));
            return 0;
        }));
        return cmd;
    }
}
