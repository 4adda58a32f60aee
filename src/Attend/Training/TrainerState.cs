namespace Attend.Training;

/// <summary>
/// Everything besides weights and optimizer buffers that <c>--resume</c> needs to continue exactly: the
/// position in the data (epoch and batch index; the order itself is recomputed from the seed), the
/// generator of dropout and teacher forcing, the schedule, and the early-stopping bookkeeping.
/// </summary>
internal sealed record TrainerState
{
    public long Step { get; init; }
    public int Epoch { get; init; }
    public int BatchInEpoch { get; init; }
    public ulong[] RngState { get; init; } = [];
    public long OptimizerSteps { get; init; }
    public double LearningRate { get; init; }
    public SchedulerState Scheduler { get; init; } = new(0, 0, double.NaN);
    /// <summary>Best validation score so far (higher is better: BLEU, or −loss); NaN before the first validation.</summary>
    public double BestScore { get; init; } = double.NaN;
    public long BestStep { get; init; }
    public int BadValidations { get; init; }
    public double ElapsedSeconds { get; init; }
    public string OptimizerSha256 { get; init; } = "";
}
