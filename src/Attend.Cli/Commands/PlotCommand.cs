using System.CommandLine;
using Attend.Cli.Terminal;
using Attend.Decoding;
using Attend.Evaluation;
using Attend.Evaluation.Tokenizers;
using Attend.Plots;
using Attend.Runs;
using Attend.Tensors.IO;

namespace Attend.Cli.Commands;

/// <summary>`attend plot`: SVG pictures (BLEU by sentence length, attention heatmaps), written by hand, no packages.</summary>
internal static class PlotCommand
{
    public static Command Build()
    {
        var cmd = new Command("plot", "Draw SVG charts: BLEU by sentence length, attention heatmaps.");
        cmd.Subcommands.Add(BleuByLength());
        cmd.Subcommands.Add(Attention());
        return cmd;
    }

    private static Command BleuByLength()
    {
        var cmd = new Command("bleu-by-length", "Line chart of BLEU (or chrF) per source-length bucket, one line per system (Bahdanau et al. 2015, Fig. 2).");
        var from = new Option<string?>("--from") { Description = "A JSON result of `attend evaluate --by-length --json`" };
        var hyp = new Option<string[]>("--hyp") { Description = "name=FILE per system (instead of --from)" };
        var refs = new Option<string[]>("--ref") { Description = "Reference file; repeatable" };
        var source = new Option<string?>("--source") { Description = "Source file (lengths are counted here)" };
        var buckets = new Option<string>("--buckets") { Description = "Upper bucket edges in source words", DefaultValueFactory = _ => "10,20,30,40,50" };
        var tokenize = new Option<string>("--tokenize") { Description = "BLEU tokenizer", DefaultValueFactory = _ => "13a" };
        var metric = new Option<string>("--metric") { Description = "bleu or chrf", DefaultValueFactory = _ => "bleu" };
        var title = new Option<string?>("--title") { Description = "Chart title" };
        var outPath = new Option<string>("--out") { Description = "SVG file to write", Required = true };
        foreach (var o in new Option[] { from, hyp, refs, source, buckets, tokenize, metric, title, outPath }) cmd.Options.Add(o);

        cmd.SetAction(pr => EvalInputs.Guard(pr, "plot bleu-by-length", output =>
        {
            var chartMetric = pr.GetValue(metric)!.ToLowerInvariant() switch
            {
                "bleu" => ChartMetric.Bleu,
                "chrf" => ChartMetric.Chrf,
                var m => throw new EvaluationInputException($"unknown --metric '{m}' (expected bleu or chrf)"),
            };
            OutputFile.Check([("--out", pr.GetValue(outPath))],
                [("--from", pr.GetValue(from)), ("--source", pr.GetValue(source)),
                 .. EvalInputs.ParseSystems(pr.GetValue(hyp) ?? []).Select(s => ("--hyp", (string?)s.Path)),
                 .. (pr.GetValue(refs) ?? []).Select(r => ("--ref", (string?)r))]);
            ByLengthTable table;
            if (pr.GetValue(from) is string fromPath)
            {
                InputFile.Check(fromPath);
                if (!File.Exists(fromPath)) throw new EvaluationInputException($"file not found: {fromPath}");
                table = ByLengthReport.FromJson(File.ReadAllText(fromPath), fromPath);
            }
            else
            {
                var (systems, refStreams) = EvalInputs.Load(EvalInputs.ParseSystems(pr.GetValue(hyp) ?? []), pr.GetValue(refs) ?? []);
                var src = EvalInputs.LoadSource(pr.GetValue(source), systems[0].Lines.Count);
                table = ByLength.Score(src, systems.Select(s => (s.Name, s.Lines)).ToList(), refStreams,
                    LengthBuckets.Parse(pr.GetValue(buckets)!), new BleuConfig(BleuTokenizers.Parse(pr.GetValue(tokenize)!)));
            }
            string outFile = pr.GetValue(outPath)!;
            AtomicFile.WriteAllText(outFile, LineChart.Render(table, chartMetric, pr.GetValue(title)));
            output.WriteLine($"wrote {outFile}");
            return 0;
        }));
        return cmd;
    }

    private static Command Attention()
    {
        var cmd = new Command("attention", "Heatmap of an attention matrix: columns source tokens, rows target tokens. " +
                                           "The matrix comes from a file (--attention) or from a trained run translating --text.");
        var attention = new Option<string?>("--attention") { Description = "JSON {source, target, attention[T][S]} or a list of them (as written by attend translate --attention)" };
        var index = NumericOption.Create("--index", "Which matrix, when the file holds a list", 0, int.MaxValue, 0);
        var model = new Option<string?>("--model") { Description = "A run directory (or checkpoint) to translate --text with" };
        var text = new Option<string?>("--text") { Description = "The sentence to translate with --model" };
        var beam = NumericOption.Create("--beam", "Beam size for --model (1 = greedy)", 1, Attend.Decoding.SearchLimits.MaxBeam, 1);
        var target = new Option<string?>("--target") { Description = "With --model: draw the attention of this translation of --text (forced decoding) instead of the model's own" };
        var outPath = new Option<string?>("--out") { Description = "SVG file to write" };
        var terminal = new Option<bool>("--terminal") { Description = "Also draw the grid in the terminal" };
        var cell = NumericOption.Create("--cell", "Cell size in pixels", 1.0, 1000.0, 30.0);
        var title = new Option<string?>("--title") { Description = "Title above the heatmap" };
        foreach (var o in new Option[] { attention, index, model, text, beam, target, outPath, terminal, cell, title }) cmd.Options.Add(o);

        cmd.SetAction(pr => EvalInputs.Guard(pr, "plot attention", output =>
        {
            var m = (pr.GetValue(attention), pr.GetValue(model)) switch
            {
                (string file, null) => pr.GetValue(target) is null ? AttentionMatrix.Load(file, pr.GetValue(index))
                    : throw new PlotInputException("--target needs --model RUN --text \"…\" (it is the translation the model is forced to read)"),
                (null, string run) => FromModel(run, pr.GetValue(text), pr.GetValue(beam), pr.GetValue(target)),
                (null, null) => throw new PlotInputException("give the matrix: --attention FILE.json, or --model RUN --text \"…\""),
                _ => throw new PlotInputException("--attention and --model are alternatives: give one"),
            };
            string? outFile = pr.GetValue(outPath);
            OutputFile.Check([("--out", outFile)], [("--attention", pr.GetValue(attention))]);
            if (outFile is null && !pr.GetValue(terminal))
                throw new PlotInputException("nothing to do: give --out FILE.svg and/or --terminal");
            if (pr.GetValue(terminal)) TerminalHeatmap.Write(EvalInputs.Console(output), m);
            if (outFile is not null)
            {
                AtomicFile.WriteAllText(outFile, AttentionHeatmap.Render(m, new HeatmapOptions(Cell: pr.GetValue(cell), Title: pr.GetValue(title))));
                output.WriteLine($"wrote {outFile}");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// Translates one sentence with a trained run and returns the best hypothesis' attention, or, given
    /// <paramref name="target"/>, the attention of that translation under forced decoding.
    /// </summary>
    private static AttentionMatrix FromModel(string run, string? text, int beam, string? target)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new PlotInputException("--model needs --text \"a sentence to translate\"");
        if (beam < 1) throw new PlotInputException($"--beam: expected a positive integer, got {beam}");
        var loaded = RunDirectory.LoadModel(run);
        var source = loaded.Text.Tokenize(text);
        if (source.Length == 0) throw new PlotInputException("--text has no tokens after normalization");
        TextHypothesis best;
        if (target is not null)
        {
            var targetTokens = loaded.Text.Tokenize(target);
            if (targetTokens.Length == 0) throw new PlotInputException("--target has no tokens after normalization");
            best = TextTranslator.Force(loaded, source, targetTokens);
        }
        else best = TextTranslator.Translate(loaded, [loaded.Model], [source], new SearchOptions(BeamSize: beam))[0][0];
        if (best.Attention is null)
            throw new PlotInputException($"{run}: the model has no attention (attention: none), so there is no matrix to draw");
        return AttentionMatrix.FromWeights(best.SourceTokens, best.TargetTokens, best.Attention);
    }
}
