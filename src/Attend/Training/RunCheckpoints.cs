// Writing a run's checkpoints (weights, optimizer state, trainer state, config, vocabularies) and reading the
// training part back on resume; the layout and the loading for translation live in Runs/RunDirectory.
using System.Text.Json;
using System.Text.Json.Serialization;
using Attend.Config;
using Attend.Model;
using Attend.Runs;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Training;

/// <summary>
/// Saves complete checkpoint folders of a run (see <see cref="RunDirectory"/> for the layout), prunes old ones and
/// restores the optimizer and trainer state of one on resume.
/// Fault injection for tests: the environment variable <c>ATTEND_SAVE_PAUSE_MS</c> makes every save pause
/// that long after each file it writes, so a test can SIGKILL a trainer in the middle of a save for certain.
/// </summary>
internal static class RunCheckpoints
{
    private static readonly int SavePauseMs =
        int.TryParse(Environment.GetEnvironmentVariable("ATTEND_SAVE_PAUSE_MS"), out int ms) && ms > 0 ? ms : 0;

    /// <summary>The test hook's pause between the files of a save (no-op unless ATTEND_SAVE_PAUSE_MS is set).</summary>
    private static void Pause()
    {
        if (SavePauseMs > 0) Thread.Sleep(SavePauseMs);
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Writes a complete checkpoint folder for <paramref name="state"/>.Step and returns its path.</summary>
    public static string Save(string runDir, Seq2Seq model, IOptimizer optimizer, TrainerState state, RunConfig config,
        Vocabulary src, Vocabulary trg, BpeCodes? bpe = null)
    {
        var final = Path.Combine(runDir, $"{RunDirectory.StepPrefix}{state.Step:D7}");
        for (int n = 1; Directory.Exists(final); n++) final = Path.Combine(runDir, $"{RunDirectory.StepPrefix}{state.Step:D7}-{n}");
        var tmp = Path.Combine(runDir, $".tmp-{Path.GetFileName(final)}-{Environment.ProcessId}");
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        var optPath = Path.Combine(tmp, "optimizer.safetensors");
        SafeTensorsFile.Write(optPath, optimizer.State().Select(s => SafeTensorsEntry.Float(s.Name, s.Buffer, s.Buffer.Length)));
        Pause();
        state = state with { OptimizerSha256 = FileHash.Sha256(optPath) };
        Checkpoint.Save(Path.Combine(tmp, "model.safetensors"), model, new VocabFingerprints(src.Fingerprint, trg.Fingerprint),
            new Model.TrainingState(state.Step, state.Epoch, state.RngState));
        Pause();
        File.WriteAllBytes(Path.Combine(tmp, "trainer.json"), JsonSerializer.SerializeToUtf8Bytes(state, Json));
        Pause();
        File.WriteAllText(Path.Combine(tmp, "config.yaml"), ConfigLoader.ToYaml(config));
        Pause();
        src.Save(Path.Combine(tmp, "src.vocab"));
        Pause();
        trg.Save(Path.Combine(tmp, "trg.vocab"));
        Pause();
        bpe?.Save(Path.Combine(tmp, TextSide.CodesFile));
        Pause();
        Directory.Move(tmp, final);
        return final;
    }

    /// <summary>
    /// Deletes step folders beyond the newest <paramref name="keep"/>, never one that best or last points at, and
    /// the temporaries a killed process left: partial checkpoint folders and unfinished atomic files of other processes.
    /// </summary>
    public static void Prune(string runDir, int keep)
    {
        var pinned = new[] { RunDirectory.Best, RunDirectory.Last }.Select(n => new FileInfo(Path.Combine(runDir, n)).LinkTarget).Where(t => t is not null)
            .Select(t => Path.GetFileName(t!)).ToHashSet();
        var steps = RunDirectory.StepDirs(runDir);
        foreach (var d in steps.Take(Math.Max(0, steps.Count - keep)))
            if (!pinned.Contains(Path.GetFileName(d))) Directory.Delete(d, true);
        foreach (var d in Directory.GetDirectories(runDir, ".tmp-*"))
            try { Directory.Delete(d, true); } catch (IOException) { }
        foreach (var f in Directory.GetFiles(runDir, ".*.tmp"))
            if (!Path.GetFileName(f).Contains($".{Environment.ProcessId}.", StringComparison.Ordinal))
                try { File.Delete(f); } catch (IOException) { }
    }

    /// <summary>Restores optimizer buffers and the trainer state of a checkpoint folder (after its model was loaded).</summary>
    public static TrainerState LoadTrainingState(string dir, IOptimizer optimizer)
    {
        var statePath = Path.Combine(dir, "trainer.json");
        TrainerState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainerState>(InputFile.ReadAllBytes(statePath), Json)
                ?? throw new InvalidDataException($"{statePath}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{statePath}: not a valid trainer state ({e.Message})", e);
        }
        var optPath = Path.Combine(dir, "optimizer.safetensors");
        InputFile.Check(optPath);
        var hash = FileHash.Sha256(optPath);
        if (!string.Equals(hash, state.OptimizerSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{optPath}: SHA-256 {hash} does not match {state.OptimizerSha256} recorded in {statePath} (corrupted or truncated)");
        var file = SafeTensorsFile.Read(optPath);
        foreach (var (name, buf) in optimizer.State())
        {
            if (!file.Contains(name)) throw new InvalidDataException($"{optPath}: optimizer state '{name}' is missing (was the run trained with another optimizer?)");
            var (data, _) = file.GetFloat(name);
            if (data.Length != buf.Length) throw new InvalidDataException($"{optPath}: '{name}' has {data.Length} values, expected {buf.Length}");
            data.CopyTo(buf, 0);
        }
        optimizer.StepCount = state.OptimizerSteps;
        return state;
    }
}
