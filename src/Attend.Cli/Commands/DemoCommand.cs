using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Attend.Attention;
using Attend.Cli.Terminal;
using Attend.Config;
using Attend.Demo;
using Attend.Plots;
using Attend.Training;
using Spectre.Console;

namespace Attend.Cli.Commands;

/// <summary>`attend demo`: why attention matters, in two minutes, with no download.</summary>
internal static class DemoCommand
{
    public static Command Build()
    {
        var cmd = new Command("demo", "Train a plain encoder–decoder and a Bahdanau attention model on a built-in dates task (\"thursday the 3rd of may 1979\" → 1979-05-03) and compare them by input length.");
        var outDir = new Option<string>("--out") { Description = "Directory for both trained runs (loadable by attend translate) and attention.svg", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var seconds = NumericOption.Create("--seconds", "Training time per model, in seconds", 0.0, 604800.0, 60.0, minExclusive: true);
        var json = new Option<bool>("--json") { Description = "Also print one JSON object with the results as the last line" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress output while training" };
        var trainSize = NumericOption.Create("--train-size", "Training dates", 1, 10_000_000, 20000);
        var testSize = NumericOption.Create("--test-size", "Held-out dates scored at the end", 1, 10_000_000, 1000);
        var hidden = NumericOption.Create("--hidden-size", "Hidden size of both models", 1, Attend.Model.ModelLimits.MaxSize, 64);
        var maxDates = NumericOption.Create("--max-dates", "Dates per example, 1..N (more dates: more to remember, harder without attention)", 1, 1000, 3);
        var seed = NumericOption.Create("--seed", "Seed of the data and both models", 0UL, ulong.MaxValue, 1UL);
        foreach (var o in new Option[] { outDir, seconds, json, quiet, trainSize, testSize, hidden, maxDates, seed }) cmd.Options.Add(o);
        cmd.SetAction(pr => CommandGuard.Run(pr, "demo", (output, err) =>
        {
            var options = new DemoOptions(pr.GetValue(outDir)!, pr.GetValue(seconds), pr.GetValue(trainSize), pr.GetValue(testSize),
                HiddenSize: pr.GetValue(hidden), Seed: pr.GetValue(seed), MaxDates: pr.GetValue(maxDates));
            using var cts = new CancellationTokenSource();
            using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; cts.Cancel(); });
            bool q = pr.GetValue(quiet);
            var console = EvalInputs.Console(output);
            var report = DemoRunner.Run(options, kind =>
            {
                err.WriteLine($"training the {(kind == AttentionKind.None ? "plain encoder–decoder (no attention)" : "Bahdanau attention model")} for {options.Seconds:0} s …");
                return q ? ITrainingObserver.Silent : new LineObserver(err, quiet: true);
            }, cts.Token);
            Print(console, report);
            var svgPath = Path.Combine(options.OutDir, "attention.svg");
            if (report.SampleAttention is { } m)
            {
                Attend.Tensors.IO.AtomicFile.WriteAllText(svgPath, AttentionHeatmap.Render(m, new HeatmapOptions(Title: "Bahdanau attention: " + report.Test[report.SampleIndex].Source)));
                console.MarkupLine($"Attention heatmap written to [bold]{Markup.Escape(svgPath)}[/]; runs in {Markup.Escape(options.OutDir)} (try: attend translate --model {Markup.Escape(report.Models[^1].RunDir)})");
            }
            if (pr.GetValue(json)) output.WriteLine(Json(report));
            return report.Models.Count < DemoRunner.Kinds.Length ? CommandGuard.Interrupted : 0;
        }));
        return cmd;
    }

    private static void Print(IAnsiConsole console, DemoReport r)
    {
        var table = new Table().Title("Exact match on held-out dates, by input length (characters)");
        table.AddColumn("input length");
        table.AddColumn(new TableColumn("dates").RightAligned());
        foreach (var m in r.Models) table.AddColumn(new TableColumn(Name(m.Attention)).RightAligned());
        foreach (var b in r.Models[0].ByLength)
            table.AddRow([b.Bucket, b.Count.ToString(CultureInfo.InvariantCulture),
                .. r.Models.Select(m => Pct(m.ByLength.FirstOrDefault(x => x.Bucket == b.Bucket)?.ExactMatch ?? 0))]);
        table.AddRow(["[bold]all[/]", r.Test.Count.ToString(CultureInfo.InvariantCulture), .. r.Models.Select(m => $"[bold]{Pct(m.ExactMatch)}[/]")]);
        table.AddRow(["training steps", "", .. r.Models.Select(m => m.Steps.ToString(CultureInfo.InvariantCulture))]);
        console.Write(table);

        var samples = new Table().Title("A few translations");
        samples.AddColumn("input");
        samples.AddColumn("reference");
        foreach (var m in r.Models) samples.AddColumn(Name(m.Attention));
        var picks = Enumerable.Range(0, r.Test.Count).OrderByDescending(i => r.Test[i].Source.Length).Take(3)
            .Concat(Enumerable.Range(0, r.Test.Count).OrderBy(i => r.Test[i].Source.Length).Take(2));
        foreach (int i in picks)
            samples.AddRow([Markup.Escape(r.Test[i].Source), r.Test[i].Target,
                .. r.Models.Select(m => m.Hypotheses[i] == r.Test[i].Target ? $"[green]{Markup.Escape(m.Hypotheses[i])}[/]" : $"[red]{Markup.Escape(m.Hypotheses[i])}[/]")]);
        console.Write(samples);
        if (r.SampleAttention is { } att)
        {
            console.MarkupLine($"Where the Bahdanau model looks while writing each output character of \"{Markup.Escape(r.Test[r.SampleIndex].Source)}\":");
            TerminalHeatmap.Write(console, att);
        }
    }

    private static string Name(AttentionKind k) => k == AttentionKind.None ? "no attention" : ConfigLoader.SnakeCase(k.ToString());
    private static string Pct(double x) => x.ToString("P1", CultureInfo.InvariantCulture);

    private static string Json(DemoReport r) => JsonSerializer.Serialize(new
    {
        sample_input = r.Test[r.SampleIndex].Source,
        models = r.Models.Select(m => new
        {
            attention = ConfigLoader.SnakeCase(m.Attention.ToString()),
            exact_match = m.ExactMatch,
            run_dir = m.RunDir,
            steps = m.Steps,
            by_length = m.ByLength.Select(b => new { bucket = b.Bucket, count = b.Count, exact_match = b.ExactMatch }),
        }),
    }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
