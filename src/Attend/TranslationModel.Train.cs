// Training from a program: what `attend train` runs, without a terminal, reporting through IProgress.
using Attend.Config;
using Attend.Training;

namespace Attend;

public sealed partial class TranslationModel
{
    /// <summary>
    /// Trains a model as <c>attend train</c> does and returns where it went: the run directory
    /// (<c>training.run_dir</c>, else <c>runs/NAME</c> under the current directory) gets the resolved config, the
    /// held-out text, <c>metrics.jsonl</c> and checkpoints with <c>best</c> and <c>last</c> links, ready for
    /// <see cref="Load(string[])"/>. It lives on <see cref="TranslationModel"/> so that a program meets one type, trains with
    /// it and loads what it trained; the machinery underneath is in the <c>Attend.Training</c> namespace.
    /// <para>
    /// Blocks the calling thread until the run ends (its budget, early stopping, or cancellation).
    /// </para>
    /// </summary>
    /// <param name="config">The run's config, from <c>ConfigLoader.LoadFile(path, overrides)</c> or
    /// <c>ConfigLoader.Load(yaml)</c>.</param>
    /// <param name="progress">Receives reports on the training thread (a <see cref="Progress{T}"/> forwards them to
    /// the thread that created it); null for none.</param>
    /// <param name="cancellationToken">Cancelling finishes the current update, writes the <c>last</c> checkpoint and
    /// returns with <see cref="StopReason.Interrupted"/> (no exception); <see cref="ResumeTraining"/> continues
    /// it.</param>
    /// <exception cref="ConfigException">the config is invalid (the message names the key), or the run directory
    /// exists and <c>training.overwrite</c> is false</exception>
    public static TrainingOutcome Train(RunConfig config, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default) => Run(config, resume: false, progress, cancellationToken);

    /// <summary>
    /// Trains with the YAML config at <paramref name="configPath"/>, each override written <c>key=value</c> as
    /// <c>attend train --set</c> takes it (e.g. <c>training.run_dir=/tmp/run</c>).
    /// </summary>
    /// <inheritdoc cref="Train(RunConfig, IProgress{TrainingProgress}?, CancellationToken)"/>
    /// <param name="configPath">The YAML config file.</param>
    /// <param name="overrides">Keys to override, <c>section.key=value</c>; null for none.</param>
    /// <param name="progress">Receives reports on the training thread; null for none.</param>
    /// <param name="cancellationToken">Stops the run cleanly, as in the other overload.</param>
    public static TrainingOutcome Train(string configPath, IEnumerable<string>? overrides = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Run(ConfigLoader.LoadFile(configPath, overrides), resume: false, progress, cancellationToken);

    /// <summary>
    /// Continues a run from its <c>last</c> checkpoint, bit-exactly as if it had never stopped (as
    /// <c>attend train --resume</c>): same data order, random state and schedule; the budget is the config's.
    /// </summary>
    /// <inheritdoc cref="Train(RunConfig, IProgress{TrainingProgress}?, CancellationToken)"/>
    /// <exception cref="InvalidDataException">the run directory has no <c>last</c> checkpoint</exception>
    public static TrainingOutcome ResumeTraining(RunConfig config, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default) => Run(config, resume: true, progress, cancellationToken);

    private static TrainingOutcome Run(RunConfig config, bool resume, IProgress<TrainingProgress>? progress,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(config);
        var r = TrainingRun.Start(config, resume, new ProgressReporter(progress)).Run(ct);
        return new TrainingOutcome(Path.GetFullPath(r.RunDir), r.Reason, r.Steps, r.Best, r.Last);
    }
}
