using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Attend.Cli.Terminal;
using Attend.Config;
using Attend.Decoding;
using Attend.Plots;
using Attend.Tensors.Distributed;
using Attend.Tensors.IO;
using Attend.Text;
using Spectre.Console;

namespace Attend.Cli.Commands;

/// <summary>
/// `attend translate --model RUN`: stdin → stdout one line at a time (so it works in pipes), or
/// --input/--output files in batches; detokenized output, n-best lists, Pharaoh alignments, attention.
/// </summary>
internal static class TranslateCommand
{
    public static Command Build()
    {
        var cmd = new Command("translate", "Translate text with a trained model: stdin to stdout line by line, or --input/--output.");
        var model = new Option<string[]>("--model") { Description = "Run directory (uses its best/ checkpoint) or a checkpoint folder (e.g. RUN/last); repeat for an ensemble (averaged log-probabilities, greedy or beam)", Required = true };
        var beam = NumericOption.Optional("--beam", "Beam size, 1 = greedy (default: the run's testing.beam_size)", 1, SearchLimits.MaxBeam);
        var nbest = NumericOption.Create("--nbest", "Print the N best hypotheses as 'i ||| text ||| score'; N ≤ beam", 1, SearchLimits.MaxBeam, 1);
        var alpha = NumericOption.Optional("--alpha", "GNMT length penalty α (default: the run's testing.alpha)", 0, SearchLimits.MaxAlpha);
        var ratio = NumericOption.Optional("--max-ratio", "Maximum output length as a multiple of the source length, plus 10 (default: the run's testing.max_output_ratio)",
            0, SearchLimits.MaxOutputRatio, minExclusive: true);
        var maxInput = NumericOption.Create("--max-input-tokens", "Longest input line, in tokens after tokenization and BPE; a longer line is an error",
            1, 1_000_000, SearchLimits.DefaultMaxInputTokens);
        var alignments = new Option<bool>("--alignments") { Description = "Append ' ||| ' and hard alignments (Pharaoh, source-target, 0-based) from attention" };
        var attention = new Option<string?>("--attention") { Description = "Write every sentence's attention matrix to this JSON file (for attend plot attention)" };
        var show = new Option<bool>("--show-attention") { Description = "Draw each sentence's attention in the terminal (on stderr)" };
        var replaceUnk = new Option<bool>("--replace-unk") { Description = "Replace <unk> by the most-attended source token" };
        var input = new Option<string?>("--input") { Description = "Read sentences from this file instead of stdin" };
        var outputFile = new Option<string?>("--output") { Description = "Write translations to this file instead of stdout" };
        var tokens = new Option<bool>("--tokens") { Description = "Print tokens separated by spaces instead of detokenized text" };
        var distributed = DistributedOption.Create();
        var precision = PrecisionOption.Create(
            "Weights in fp32, int8 or bf16 (quantizes an fp32 checkpoint as it loads; default: as stored; docs/quantization.md)");
        foreach (var o in new Option[]
                 { model, beam, nbest, alpha, ratio, maxInput, alignments, attention, show, replaceUnk, input, outputFile, tokens, precision, distributed })
            cmd.Options.Add(o);
        cmd.SetAction(pr => CommandGuard.Run(pr, "translate", (stdout, err) =>
        {
            OutputFile.Check([("--output", pr.GetValue(outputFile)), ("--attention", pr.GetValue(attention))], [("--input", pr.GetValue(input))]);
            if (pr.GetValue(input) is string inputPath) InputFile.Check(inputPath);
            // The front door loads the run or the ensemble (a missing or damaged run, or vocabularies that differ, is a
            // ModelLoadException naming the folder) and translates; a null option takes the run's testing section.
            using var translator = TranslationModel.Load(pr.GetValue(model)!, pr.GetValue(precision));
            var options = new TranslateOptions
            {
                Beam = pr.GetValue(beam), Alpha = pr.GetValue(alpha), MaxOutputRatio = pr.GetValue(ratio), NBest = pr.GetValue(nbest),
                MaxInputTokens = pr.GetValue(maxInput), ReplaceUnknowns = pr.GetValue(replaceUnk),
            };
            int beamSize = options.Beam ?? translator.Defaults.Beam!.Value;
            if (options.NBest > beamSize)
                throw new ConfigException($"--nbest: expected 1..beam size ({beamSize}), got {options.NBest}");
            var comm = DistributedOption.Open(pr.GetValue(distributed));
            if (comm.Size > 1 && pr.GetValue(show)) throw new ConfigException("--show-attention: draws on one terminal; not with several ranks");
            var session = new Session(translator, options, pr.GetValue(alignments), pr.GetValue(tokens), pr.GetValue(show) ? EvalInputs.Console(err) : null);
            if (comm.Size > 1)
            {
                // Not disposed on an exception: MPI_Finalize would wait for the other ranks, and CommandGuard aborts them instead.
                ShardedTranslation.Translate(comm, session, options.BatchSize ?? translator.Defaults.BatchSize!.Value, pr.GetValue(input), pr.GetValue(outputFile), stdout,
                    pr.GetValue(attention));
                comm.Dispose();
                return 0;
            }
            using (var target = OutputTarget.Open(pr.GetValue(outputFile), stdout))
            {
                var output = target.Writer;
                // Lines as every line-aligned verb reads them (TextFile: only LF ends a line), so output line i is
                // always the translation of input line i.
                if (pr.GetValue(input) is string path)
                {
                    foreach (var chunk in TextFile.ReadLines(path).Chunk(translator.Defaults.BatchSize!.Value)) session.Translate(chunk, output);
                }
                else
                {
                    // One sentence at a time and a flush after each, so an interactive pipe gets its answer at once.
                    foreach (var line in TextFile.ReadLines(Console.OpenStandardInput(), "<stdin>"))
                    {
                        session.Translate([line], output);
                        output.Flush();
                    }
                }
                target.Commit();
            }
            if (pr.GetValue(attention) is string attPath)
                AtomicFile.WriteAllText(attPath, JsonSerializer.Serialize(session.Matrices.Select(a => new { source = a.Source, target = a.Target, attention = a.Weights })));
            return 0;
        }));
        return cmd;
    }

    /// <summary>The state of one translate call: options, the running sentence number, collected attention matrices.</summary>
    internal sealed class Session(TranslationModel translator, TranslateOptions options, bool alignments, bool rawTokens, IAnsiConsole? show)
    {
        private readonly int _maxInput = options.MaxInputTokens ?? SearchLimits.DefaultMaxInputTokens;
        private int _index;
        public List<AttentionMatrix> Matrices { get; } = [];

        /// <summary>The number (0-based) of the next sentence, as n-best lists print it: a rank's share starts past the others'.</summary>
        public int Index { set => _index = value; }

        public void Translate(TextLine[] lines, TextWriter output)
        {
            // Checked here first so that the error names the line of the input.
            foreach (var line in lines) TextTranslator.CheckLength(translator.Tokenize(line.Text).Count, _maxInput, $"line {line.Number}");
            var results = translator.TranslateNBest([.. lines.Select(l => l.Text)], options);
            for (int i = 0; i < lines.Length; i++, _index++)
            {
                foreach (var h in results[i])
                {
                    var text = rawTokens ? string.Join(' ', Content(h.TargetTokens)) : h.Text;
                    var line = options.NBest > 1 ? $"{_index} ||| {text} ||| {h.Score.ToString("F4", CultureInfo.InvariantCulture)}" : text;
                    if (alignments) line += " ||| " + h.Alignment;
                    output.WriteLine(line);
                }
                // A model with attention gives one matrix per line, an empty one for a line without tokens.
                if (!translator.HasAttention) continue;
                var best = results[i][0];
                var matrix = new AttentionMatrix(best.SourceTokens, best.TargetTokens, best.Attention ?? []);
                Matrices.Add(matrix);
                if (show is not null && best.SourceTokens.Count > 0) TerminalHeatmap.Write(show, matrix);
            }
        }

        /// <summary>The target tokens without the end-of-sentence token the decoder emitted.</summary>
        private static IEnumerable<string> Content(IReadOnlyList<string> target) =>
            target.Count > 0 && target[^1] == Translation.EndOfSentence ? target.Take(target.Count - 1) : target;
    }
}
