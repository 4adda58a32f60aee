using System.CommandLine;
using System.Diagnostics;
using Attend.Tensors;
using Attend.Text;

namespace Attend.Cli.Commands;

/// <summary>`attend bpe learn|apply|desegment`: subword-nmt's learn-bpe / apply-bpe, with compatible codes files.</summary>
internal static class BpeCommand
{
    public static Command Build()
    {
        var cmd = new Command("bpe", "Byte-pair encoding: learn merges, apply them (\"@@ \" continuation markers), undo them.");
        cmd.Subcommands.Add(Learn());
        cmd.Subcommands.Add(Apply());
        cmd.Subcommands.Add(Desegment());
        return cmd;
    }

    private static Command Learn()
    {
        var input = new Option<string[]>("--input", "-i")
        {
            Description = "Tokenized text files (plain or .gz). Several files (e.g. train.de and train.en) learn one joint set of merges.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--output", "-o") { Description = "Codes file to write (subword-nmt format, #version: 0.2).", Required = true };
        var merges = NumericOption.Create("--merges", "Number of merges to learn.", 0, 10_000_000, 10000, aliases: ["-s"]);
        var vocabSize = NumericOption.Optional("--vocab-size", "Instead of --merges: target symbol count (merges + distinct characters, like --total-symbols).", 1, 10_000_000);
        var minFreq = NumericOption.Create("--min-frequency", "Stop when the most frequent pair is rarer than this.", 1, int.MaxValue, 2);
        var tokenize = TextCommandSupport.TokenizeOption(TokenizerKind.Whitespace);
        var lowercase = TextCommandSupport.LowercaseOption();
        var form = TextCommandSupport.FormOption();

        var cmd = new Command("learn", "Learn BPE merges from tokenized text (like subword-nmt learn-bpe).");
        foreach (var o in new Option[] { input, output, merges, vocabSize, minFreq, tokenize, lowercase, form }) cmd.Options.Add(o);
        cmd.SetAction(parse => TextCommandSupport.Run(parse, "bpe learn", log =>
        {
            var clock = Stopwatch.StartNew();
            using var target = TextCommandSupport.OpenOutput(parse.GetValue(output), parse.GetValue(input));
            var split = TextCommandSupport.Tokenizer(parse.GetValue(tokenize), parse.GetValue(lowercase), parse.GetValue(form));
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var line in TextCommandSupport.ReadLines(parse.GetValue(input)))
                foreach (var word in split(line)) counts[word] = counts.GetValueOrDefault(word) + 1;
            double readSeconds = clock.Elapsed.TotalSeconds;
            var codes = BpeLearner.Learn(counts, new BpeLearnOptions(parse.GetValue(merges), parse.GetValue(vocabSize), parse.GetValue(minFreq)));
            codes.Write(target.Writer);
            target.Commit();
            log.WriteLine($"learned {codes.Merges.Count} merges from {counts.Count} distinct tokens in {clock.Elapsed.TotalSeconds:F2} s " +
                          $"(reading {readSeconds:F2} s)");
            return 0;
        }));
        return cmd;
    }

    private static Command Apply()
    {
        var codesOpt = new Option<string>("--codes", "-c") { Description = "Codes file from `attend bpe learn` or subword-nmt.", Required = true };
        var input = new Option<string[]>("--input", "-i") { Description = "Input files (default: stdin).", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "Output file (default: stdout)." };
        var dropout = NumericOption.Create("--dropout", "BPE-dropout probability, for training data only (0: off).", 0.0, 1.0, 0.0, maxExclusive: true);
        var seed = NumericOption.Create("--seed", "Seed of BPE-dropout.", 0UL, ulong.MaxValue, 1UL);
        var tokenize = TextCommandSupport.TokenizeOption(TokenizerKind.Whitespace);
        var lowercase = TextCommandSupport.LowercaseOption();
        var form = TextCommandSupport.FormOption();

        var cmd = new Command("apply", "Segment text into subwords, streaming line by line (like subword-nmt apply-bpe).");
        foreach (var o in new Option[] { codesOpt, input, output, dropout, seed, tokenize, lowercase, form }) cmd.Options.Add(o);
        cmd.SetAction(parse => TextCommandSupport.Run(parse, "bpe apply", log =>
        {
            double p = parse.GetValue(dropout);
            using var target = TextCommandSupport.OpenOutput(parse.GetValue(output), parse.GetValue(input), ("--codes", parse.GetValue(codesOpt)));
            var segmenter = new BpeSegmenter(BpeCodes.Load(parse.GetValue(codesOpt)!));
            var split = TextCommandSupport.Tokenizer(parse.GetValue(tokenize), parse.GetValue(lowercase), parse.GetValue(form));
            var rng = new Rng(parse.GetValue(seed));
            foreach (var line in TextCommandSupport.ReadLines(parse.GetValue(input)))
                target.Writer.WriteLine(string.Join(' ', segmenter.Segment(split(line), p, rng)));
            target.Commit();
            return 0;
        }));
        return cmd;
    }

    private static Command Desegment()
    {
        var input = new Option<string[]>("--input", "-i") { Description = "Input files (default: stdin).", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "Output file (default: stdout)." };
        var detok = new Option<TokenizerKind>("--detokenize")
        {
            Description = "After joining subwords, also detokenize: Whitespace (leave tokens), Word (remove ￭ joiners) or Char.",
            DefaultValueFactory = _ => TokenizerKind.Whitespace,
        };
        var cmd = new Command("desegment", "Undo BPE (remove \"@@ \"), optionally detokenize, streaming line by line.");
        foreach (var o in new Option[] { input, output, detok }) cmd.Options.Add(o);
        cmd.SetAction(parse => TextCommandSupport.Run(parse, "bpe desegment", _ =>
        {
            var tokenizer = Tokenizers.Create(parse.GetValue(detok));
            using var target = TextCommandSupport.OpenOutput(parse.GetValue(output), parse.GetValue(input));
            foreach (var line in TextCommandSupport.ReadLines(parse.GetValue(input)))
                target.Writer.WriteLine(tokenizer.Detokenize(BpeSegmenter.Desegment(line.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
            target.Commit();
            return 0;
        }));
        return cmd;
    }
}
