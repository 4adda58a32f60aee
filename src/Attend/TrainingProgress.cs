// What TranslationModel.Train reports while it runs, and what it returns when the run ends.
using Attend.Runs;
using Attend.Training;

namespace Attend;

/// <summary>The kind of a <see cref="TrainingProgress"/> report.</summary>
public enum TrainingProgressKind
{
    /// <summary>Every <c>training.log_every</c> updates: recent training loss, learning rate, throughput.</summary>
    Update,

    /// <summary>
    /// Every <c>training.validate_every</c> updates (and at the end): the dev-set scores, just before the checkpoint
    /// is written.
    /// </summary>
    Validation,

    /// <summary>A one-line message: data sizes, resuming, learning rate lowered, early stopping, interrupted.</summary>
    Note,
}

/// <summary>
/// One report of a training run. <see cref="Step"/>, <see cref="Epoch"/> and <see cref="Fraction"/> are those of
/// the latest update in every report; the other members are set by the reports of their <see cref="Kind"/>.
/// </summary>
/// <param name="Kind">What this report is.</param>
/// <param name="Step">Optimizer updates done so far.</param>
/// <param name="Epoch">The epoch under way, from 1 (0 before the first update).</param>
/// <param name="Fraction">The share of the run's budget (epochs, <c>max_steps</c>, <c>max_seconds</c>) done, 0..1.</param>
public sealed record TrainingProgress(TrainingProgressKind Kind, long Step, int Epoch, double Fraction)
{
    /// <summary>Update reports: mean training loss since the previous one (nats per target token, smoothed labels).</summary>
    public double? Loss { get; init; }

    /// <summary>Update reports: the learning rate of the latest update.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Update reports: target tokens trained per second since the previous one.</summary>
    public double? TargetTokensPerSecond { get; init; }

    /// <summary>Validation reports: dev loss and perplexity, greedy BLEU and exact match, a few samples.</summary>
    public ValidationResult? Validation { get; init; }

    /// <summary>Validation reports: whether this is the best so far (the run's <c>best</c> link moves to it).</summary>
    public bool IsBest { get; init; }

    /// <summary>Note reports: the message.</summary>
    public string? Note { get; init; }
}

/// <summary>How a training run ended.</summary>
/// <param name="RunDirectory">The run directory (full path): pass it to <see cref="TranslationModel.Load(string[])"/>.</param>
/// <param name="Reason">Why training stopped; <see cref="StopReason.Interrupted"/> when the token was cancelled
/// (<c>last</c> was written).</param>
/// <param name="Steps">Optimizer updates done in total (a resumed run counts those before it too).</param>
/// <param name="Best">The best validation of this call (where <c>best</c> points), null if none ran.</param>
/// <param name="Last">The last validation of this call, null if none ran.</param>
public sealed record TrainingOutcome(string RunDirectory, StopReason Reason, long Steps, ValidationResult? Best,
    ValidationResult? Last);

/// <summary>Turns the trainer's callbacks into <see cref="TrainingProgress"/> reports.</summary>
internal sealed class ProgressReporter(IProgress<TrainingProgress>? progress) : ITrainingObserver
{
    private TrainProgress? _latest;

    private TrainingProgress Report(TrainingProgressKind kind) =>
        new(kind, _latest?.Step ?? 0, _latest?.Epoch ?? 0, _latest?.Fraction ?? 0);

    public void Progress(TrainProgress p)
    {
        _latest = p;
        progress?.Report(Report(TrainingProgressKind.Update) with
        {
            Loss = p.Loss,
            LearningRate = p.LearningRate,
            TargetTokensPerSecond = p.TargetTokensPerSecond,
        });
    }

    public void Validated(ValidationResult v, bool isBest) =>
        progress?.Report(Report(TrainingProgressKind.Validation) with { Validation = v, IsBest = isBest });

    public void Note(string message) => progress?.Report(Report(TrainingProgressKind.Note) with { Note = message });
}
