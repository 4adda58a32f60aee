using Attend.Config;

namespace Attend.Training;

/// <summary>
/// What `train --resume` does with settings that differ from the run's: the keys that only bound or report the
/// loop (epochs, step and time budgets, validation and log intervals, patience, samples, checkpoints kept) and the
/// testing section are applied; every other key (data, model, seed, optimizer and schedule, batch size, loss
/// settings) shapes what the checkpoint already holds, so a change is refused, naming each key and both values.
/// The config written to the run is then the one that runs.
/// </summary>
internal static class ResumePolicy
{
    /// <summary>Keys a resumed run takes from the new config (a trailing dot: the whole section).</summary>
    public static readonly IReadOnlyList<string> Applied =
    [
        "name", "training.run_dir", "training.overwrite", "training.epochs", "training.max_steps", "training.max_seconds",
        "training.validate_every", "training.log_every", "training.patience", "training.print_samples", "training.keep_last",
        "model.max_parameters", "testing.",
    ];

    public static bool IsApplied(string key) => Applied.Any(a => a.EndsWith('.') ? key.StartsWith(a, StringComparison.Ordinal) : key == a);

    /// <summary>Throws a <see cref="ConfigException"/> listing every refused change of <paramref name="requested"/> against <paramref name="recorded"/>.</summary>
    public static void Check(RunConfig recorded, RunConfig requested, string recordedPath)
    {
        var refused = ConfigDiff.Changes(recorded, requested).Where(c => !IsApplied(c.Key)).ToList();
        if (refused.Count == 0) return;
        throw new ConfigException(
            $"--resume: {string.Join("; ", refused.Select(c => $"{c.Key} is {c.Old} in {recordedPath} but {c.New} now"))}; " +
            "a resumed run keeps its data, model, seed, optimizer and schedule, so these cannot change " +
            "(drop the --set or edit the config back, or start a new run; resuming may change: " +
            $"{string.Join(", ", Applied.Select(a => a.EndsWith('.') ? a + "*" : a))})");
    }
}
