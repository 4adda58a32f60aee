using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Attend.Cli.Terminal;
using Attend.Config;
using Attend.Decoding;
using Attend.Plots;
using Attend.Runs;
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
        foreach (var o in new Option[] { model, beam, nbest, alpha, ratio, maxInput, alignments, attention, show, replaceUnk, input, outputFile, tokens, distributed })
            cmd.Options.Add(o);
        cmd.SetAction(pr => CommandGuard.Run(pr, "translate", (stdout, err) =>
        {
            OutputFile.Check([("--output", pr.GetValue(outputFile)), ("--attention", pr.GetValue(attention))], [("--input", pr.GetValue(input))]);
            if (pr.GetValue(input) is string inputPath) InputFile.Check(inputPath);
            var all = pr.GetValue(model)!.Select(RunDirectory.LoadModel).ToList();
            var m = all[0];
            foreach (var other in all.Skip(1))
                if (other.SourceVocab.Fingerprint != m.SourceVocab.Fingerprint || other.TargetVocab.Fingerprint != m.TargetVocab.Fingerprint)
                    throw new InvalidDataException($"{other.Directory}: vocabularies differ from {m.Directory}; an ensemble needs shared vocabularies");
            var testing = m.Config.Testing;
            var search = new SearchOptions(pr.GetValue(beam) ?? testing.BeamSize, pr.GetValue(alpha) ?? testing.Alpha,
                pr.GetValue(ratio) ?? testing.MaxOutputRatio, pr.GetValue(nbest), testing.BatchSize, pr.GetValue(maxInput));
            if (search.NBest > search.BeamSize)
                throw new ConfigException($"--nbest: expected 1..beam size ({search.BeamSize}), got {search.NBest}");
            var comm = DistributedOption.Open(pr.GetValue(distributed));
            if (comm.Size > 1 && pr.GetValue(show)) throw new ConfigException("--show-attention: draws on one terminal; not with several ranks");
            var session = new Session(m, all.Select(x => x.Model).ToList(), search, pr.GetValue(alignments), pr.GetValue(replaceUnk), pr.GetValue(tokens),
                pr.GetValue(show) ? EvalInputs.Console(err) : null);
            if (comm.Size > 1)
            {
                // Not disposed on an exception: MPI_Finalize would wait for the other ranks, and CommandGuard aborts them instead.
                Sharded.Translate(comm, session, search.BatchSize, pr.GetValue(input), pr.GetValue(outputFile), stdout, pr.GetValue(attention));
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
                    foreach (var chunk in TextFile.ReadLines(path).Chunk(search.BatchSize)) session.Translate(chunk, output);
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
    internal sealed class Session(LoadedModel m, IReadOnlyList<Model.Seq2Seq> models, SearchOptions search, bool alignments, bool replaceUnk, bool rawTokens, IAnsiConsole? show)
    {
        private int _index;
        public List<AttentionMatrix> Matrices { get; } = [];

        /// <summary>The number (0-based) of the next sentence, as n-best lists print it: a rank's share starts past the others'.</summary>
        public int Index { set => _index = value; }

        public void Translate(TextLine[] lines, TextWriter output)
        {
            var srcTokens = lines.Select(l => TextTranslator.Tokenize(m, l.Text)).ToList();
            for (int i = 0; i < lines.Length; i++) TextTranslator.CheckLength(srcTokens[i], search, $"line {lines[i].Number}");
            var results = TextTranslator.Translate(m, models, srcTokens, search, new TextOptions(replaceUnk, rawTokens));
            for (int i = 0; i < lines.Length; i++, _index++)
            {
                foreach (var h in results[i])
                {
                    var line = search.NBest > 1 ? $"{_index} ||| {h.Text} ||| {h.Score.ToString("F4", CultureInfo.InvariantCulture)}" : h.Text;
                    if (alignments) line += " ||| " + h.Alignment;
                    output.WriteLine(line);
                }
                var best = results[i][0];
                if (best.Attention is null) continue;
                var matrix = AttentionMatrix.FromWeights(best.SourceTokens, best.TargetTokens, best.Attention);
                Matrices.Add(matrix);
                if (show is not null && srcTokens[i].Length > 0) TerminalHeatmap.Write(show, matrix);
            }
        }
    }
}
