// Which folders are Attend runs, and the rules for creating, restarting and emptying one. A run folder carries a
// marker file from the moment it is created; training.overwrite empties only a folder that carries it (or a run
// written before the marker existed), so a run_dir or name that lands on a data folder is an error, never a loss.
using System.Text.Json;
using Attend.Config;
using Attend.Runs;
using Attend.Tensors.IO;

namespace Attend.Training;

/// <summary>
/// The marker <c>.attend-run</c> (JSON: format, version, created time) and the checks around it. A folder counts
/// as a run when it carries the marker, or, for runs made before the marker existed, when it holds Attend's
/// <c>config.yaml</c>, a <c>metrics.jsonl</c> or a <c>step-*</c> checkpoint, and nothing Attend does not write
/// in a run (<see cref="IsLegacyEntry"/>).
/// </summary>
internal static class RunFolder
{
    public const string MarkerFile = ".attend-run";
    private const int Version = 1;

    /// <summary>The run folder of a config: <c>training.run_dir</c>, else <c>runs/NAME</c>; a bad name or path is an error now, not at the first save.</summary>
    public static string Of(RunConfig config)
    {
        if (config.Training.RunDir.Length > 0) return Normalize(config.Training.RunDir);
        string name = config.Name;
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(['/', '\\']) >= 0 || name.Any(char.IsControl))
            throw new ConfigException($"name: '{name}' is not a plain folder name (the run goes to runs/NAME; give a path with training.run_dir)");
        return Path.Combine("runs", name);
    }

    /// <summary>
    /// Resolves <c>..</c> by name (<c>missing/../x</c> is <c>x</c>), since the kernel would fail on a path through a
    /// missing folder only later, at the first save. A relative path stays relative.
    /// </summary>
    private static string Normalize(string dir)
    {
        var full = Path.GetFullPath(dir);
        if (Path.IsPathRooted(dir)) return full;
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative == "." ? Environment.CurrentDirectory : relative;
    }

    /// <summary>Creates the folder (and its parents) and marks it as a run, so an unwritable place fails before training.</summary>
    public static void Create(string dir)
    {
        if (File.Exists(dir)) throw new FileRefusedException(dir, "run folder: a file is in the way");
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new FileRefusedException(dir, $"cannot create the run folder ({e.Message})"); }
        var marker = JsonSerializer.SerializeToUtf8Bytes(new { format = "attend-run", version = Version, created = DateTime.UtcNow.ToString("O") });
        try { AtomicFile.WriteAllBytes(Path.Combine(dir, MarkerFile), marker); }
        catch (UnauthorizedAccessException e) { throw new FileRefusedException(dir, $"cannot write in the run folder ({e.Message})"); }
    }

    public static bool HasMarker(string dir) => FileStat.Of(Path.Combine(dir, MarkerFile)).Kind == FileKind.Regular;

    /// <summary>True for a folder Attend made a run of: the marker, or an unmarked run of an older Attend.</summary>
    public static bool IsRun(string dir)
    {
        if (HasMarker(dir)) return true;
        var names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).ToList();
        return names.Contains("config.yaml") && names.Any(n => n == MetricsLog.FileName || n!.StartsWith("step-", StringComparison.Ordinal))
            && names.All(n => IsLegacyEntry(n!));
    }

    /// <summary>The names Attend writes in a run folder (and the temporaries of its saves), besides the marker.</summary>
    public static bool IsLegacyEntry(string name) =>
        name is "config.yaml" or MetricsLog.FileName or "dev.src" or "dev.trg" or "test.src" or "test.trg" or "data"
            or RunDirectory.Best or RunDirectory.Last or "averaged"
        || name.StartsWith("step-", StringComparison.Ordinal) || name.StartsWith(".tmp-step-", StringComparison.Ordinal)
        || name.StartsWith(".best.tmp-", StringComparison.Ordinal) || name.StartsWith(".last.tmp-", StringComparison.Ordinal)
        || name.StartsWith("averaged.tmp-", StringComparison.Ordinal) || (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal));

    /// <summary>True when a run folder holds no checkpoint yet (it stopped before its first save).</summary>
    public static bool HasNoCheckpoint(string dir) =>
        RunDirectory.StepDirs(dir).Count == 0 && FileStat.Of(Path.Combine(dir, RunDirectory.Last)).Kind == FileKind.Missing;

    /// <summary>Empties a run folder, saying what goes through <paramref name="say"/>; refuses any other folder.</summary>
    public static void Clear(string dir, string why, Action<string> say)
    {
        if (!IsRun(dir))
            throw new ConfigException($"{dir}: not an Attend run folder (no {MarkerFile}), so training.overwrite will not empty it; " +
                                      "choose another run_dir or name, or remove the folder yourself");
        var entries = Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal).ToList();
        var shown = entries.Select(Path.GetFileName).Take(8);
        say($"{why}: removing {entries.Count} entries of run folder {dir}: {string.Join(", ", shown)}{(entries.Count > 8 ? ", …" : "")}");
        foreach (var e in entries)
        {
            if (new FileInfo(e).LinkTarget is not null || File.Exists(e)) File.Delete(e);
            else Directory.Delete(e, true);
        }
    }
}
