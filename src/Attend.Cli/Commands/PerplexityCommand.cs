using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Attend.Runs;
using Attend.Text;
using Attend.Training;

namespace Attend.Cli.Commands;

/// <summary>`attend perplexity --model RUN --source S --target T [--json]`: teacher-forced loss and perplexity of a test set.</summary>
internal static class PerplexityCommand
{
    public static Command Build()
    {
        var cmd = new Command("perplexity", "Teacher-forced cross-entropy and perplexity of a trained run on line-aligned source/target files (the validation's loss, on any set).");
        var model = new Option<string>("--model") { Description = "Run directory (uses its best/ checkpoint) or a checkpoint folder (e.g. RUN/last)", Required = true };
        var source = new Option<string>("--source") { Description = "Source sentences, raw, one per line (plain or .gz)", Required = true };
        var target = new Option<string>("--target") { Description = "Reference translations, line-aligned with --source", Required = true };
        var batch = NumericOption.Create("--batch-size", "Sentences per forward pass", 1, 100_000, 64);
        var json = new Option<bool>("--json") { Description = "One JSON object: loss, ppl, tokens, sentences, params, checkpoint" };
        foreach (var o in new Option[] { model, source, target, batch, json }) cmd.Options.Add(o);
        cmd.SetAction(pr => CommandGuard.Run(pr, "perplexity", (stdout, _) =>
        {
            var m = RunDirectory.LoadModel(pr.GetValue(model)!);
            var examples = ParallelCorpus.ReadAligned(pr.GetValue(source)!, pr.GetValue(target)!)
                .Select(p => new Example(m.SourceVocab.Encode(m.Text.Tokenize(p.Source)), m.TargetVocab.Encode(m.Text.Tokenize(p.Target)), p.Source, p.Target))
                .Where(e => e.Source.Length > 0).ToList();
            var (loss, tokens) = Validator.TeacherForcedLoss(m.Model, examples, pr.GetValue(batch));
            long parameters = m.Model.ParameterCount();
            if (pr.GetValue(json))
                stdout.WriteLine(JsonSerializer.Serialize(new { loss, ppl = Math.Exp(loss), tokens, sentences = examples.Count, @params = parameters, checkpoint = m.Directory }));
            else
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"loss {loss:F4} ppl {Math.Exp(loss):F3} over {tokens} target tokens ({examples.Count} sentences, </s> included); {parameters} parameters; {m.Directory}"));
            return 0;
        }));
        return cmd;
    }
}
