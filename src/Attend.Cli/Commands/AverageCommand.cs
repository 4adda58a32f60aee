using System.CommandLine;
using Attend.Runs;
using Attend.Training;

namespace Attend.Cli.Commands;

/// <summary>`attend average --model RUN [--last N] [--output DIR]`: average the weights of a run's newest checkpoints.</summary>
internal static class AverageCommand
{
    public static Command Build()
    {
        var cmd = new Command("average", "Average the weights of a run's last N step checkpoints into a new checkpoint folder.");
        var model = new Option<string>("--model") { Description = "Run directory", Required = true };
        var last = NumericOption.Create("--last", "How many of the newest step checkpoints", 1, 1_000_000, 3);
        var output = new Option<string?>("--output") { Description = "Output checkpoint folder (default RUN/averaged)" };
        cmd.Options.Add(model);
        cmd.Options.Add(last);
        cmd.Options.Add(output);
        cmd.SetAction(pr => CommandGuard.Run(pr, "average", (stdout, _) =>
        {
            var run = pr.GetValue(model)!;
            int n = pr.GetValue(last);
            if (!Directory.Exists(run)) throw new InvalidDataException($"{run}: no such run directory");
            var steps = RunDirectory.StepDirs(run);
            if (steps.Count == 0) throw new InvalidDataException($"{run}: no step-* checkpoints to average");
            var chosen = steps.TakeLast(n).ToList();
            var outDir = pr.GetValue(output) ?? Path.Combine(run, "averaged");
            CheckpointAverage.Write(chosen, outDir);
            stdout.WriteLine($"averaged {chosen.Count} checkpoints ({string.Join(", ", chosen.Select(Path.GetFileName))}) into {outDir}");
            return 0;
        }));
        return cmd;
    }
}
