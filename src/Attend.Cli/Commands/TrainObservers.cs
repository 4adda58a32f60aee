using System.Globalization;
using Attend.Training;
using Spectre.Console;
using ValidationResult = Attend.Training.ValidationResult;

namespace Attend.Cli.Commands;

/// <summary>Plain lines on a writer (stderr): for --quiet, CI and pipes. Quiet prints only validations and notes.</summary>
internal sealed class LineObserver(TextWriter w, bool quiet) : ITrainingObserver
{
    public void Progress(TrainProgress p)
    {
        if (!quiet)
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {p.Epoch} step {p.Step} loss {p.Loss:F4} lr {p.LearningRate:G3} {p.TargetTokensPerSecond:F0} tgt tok/s {p.Fraction:P0}"));
    }

    public void Validated(ValidationResult v, bool isBest)
    {
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"valid step {v.Step}: loss {v.Loss:F4} ppl {v.Perplexity:F3} bleu {v.Bleu:F2} exact {v.ExactMatch:P1}{(isBest ? " (best)" : "")}"));
        if (quiet) return;
        foreach (var (s, r, h) in v.Samples) w.WriteLine($"  src: {s}\n  ref: {r}\n  hyp: {h}");
    }

    public void Note(string message) => w.WriteLine(message);
}

/// <summary>A live Spectre.Console progress bar (epoch, step, loss, target tokens/s, ETA) with validations printed above it.</summary>
internal sealed class ProgressObserver(ProgressTask task, IAnsiConsole console) : ITrainingObserver
{
    public void Progress(TrainProgress p)
    {
        task.Value = p.Fraction * task.MaxValue;
        task.Description = string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch} step {p.Step} loss {p.Loss:F3} {p.TargetTokensPerSecond:F0} tok/s");
    }

    public void Validated(ValidationResult v, bool isBest)
    {
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]valid[/] step {v.Step}: loss {v.Loss:F4} ppl {v.Perplexity:F3} bleu {v.Bleu:F2} exact {v.ExactMatch:P1}{(isBest ? " [green](best)[/]" : "")}"));
        foreach (var (s, r, h) in v.Samples)
            console.MarkupLine($"  [grey]src[/] {Markup.Escape(s)}  [grey]ref[/] {Markup.Escape(r)}  [grey]hyp[/] {Markup.Escape(h)}");
    }

    public void Note(string message) => console.MarkupLine(Markup.Escape(message));
}
