using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Attend.Config;
using Attend.Model;
using Attend.Tensors;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Training;

/// <summary>A checkpoint loaded for inference: the model, how its text is tokenized, and its vocabularies.</summary>
public sealed record LoadedModel(Seq2Seq Model, RunConfig Config, Vocabulary SourceVocab, Vocabulary TargetVocab, string Directory)
{
    /// <summary>The run's tokenizer, normalizer and BPE codes (stateless, safe to share between threads).</summary>
    public TextSide Text { get; } = RunDirectory.LoadTextSide(Config.Data, Directory);
}

/// <summary>
/// The layout of a run directory. Each checkpoint is a self-contained folder <c>step-000123/</c> holding
/// <c>model.safetensors</c> + <c>model.json</c> (weights and architecture), <c>optimizer.safetensors</c>,
/// <c>trainer.json</c>, <c>config.yaml</c> and both vocabularies. It is written under a temporary name and
/// renamed into place when complete; <c>best</c> and <c>last</c> are symbolic links switched by an atomic
/// rename. A process killed at any moment therefore leaves <c>best</c> and <c>last</c> pointing at
/// complete checkpoints (the old or the new one), never at a half-written one. A checkpoint folder is never
/// replaced in place: a second save of the same step (a run resumed and stopped again before its next
/// update) goes to <c>step-000123-1/</c>, so the folder a link points at is never missing.
/// Fault injection for tests: the environment variable <c>ATTEND_SAVE_PAUSE_MS</c> makes every save pause
/// that long after each file it writes, so a test can SIGKILL a trainer in the middle of a save for certain.
/// </summary>
public static class RunDirectory
{
    public const string Best = "best", Last = "last";
    private const string StepPrefix = "step-";

    private static readonly int SavePauseMs =
        int.TryParse(Environment.GetEnvironmentVariable("ATTEND_SAVE_PAUSE_MS"), out int ms) && ms > 0 ? ms : 0;

    /// <summary>
    /// The text side of a checkpoint folder: a config with <c>data.bpe_merges</c> &gt; 0 needs the folder's
    /// <c>bpe.codes</c> (an error naming the folder when it is missing).
    /// </summary>
    public static TextSide LoadTextSide(DataConfig data, string checkpointDir)
    {
        if (data.BpeMerges == 0) return data.CreateTextSide();
        var path = Path.Combine(checkpointDir, TextSide.CodesFile);
        if (!File.Exists(path)) throw new InvalidDataException($"{checkpointDir}: data.bpe_merges is {data.BpeMerges} but {TextSide.CodesFile} is missing");
        return data.CreateTextSide(BpeCodes.Load(path));
    }

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
        var final = Path.Combine(runDir, $"{StepPrefix}{state.Step:D7}");
        for (int n = 1; Directory.Exists(final); n++) final = Path.Combine(runDir, $"{StepPrefix}{state.Step:D7}-{n}");
        var tmp = Path.Combine(runDir, $".tmp-{Path.GetFileName(final)}-{Environment.ProcessId}");
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        var optPath = Path.Combine(tmp, "optimizer.safetensors");
        SafeTensorsFile.Write(optPath, optimizer.State().Select(s => SafeTensorsEntry.Float(s.Name, s.Buffer, s.Buffer.Length)));
        Pause();
        state = state with { OptimizerSha256 = Sha256(optPath) };
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

    /// <summary>Points <c>runDir/name</c> at <paramref name="checkpointDir"/> by an atomic rename of a fresh link.</summary>
    public static void Link(string runDir, string name, string checkpointDir)
    {
        var link = Path.Combine(runDir, name);
        var tmp = Path.Combine(runDir, $".{name}.tmp-{Environment.ProcessId}");
        if (File.Exists(tmp) || Directory.Exists(tmp) || new FileInfo(tmp).LinkTarget is not null) File.Delete(tmp);
        File.CreateSymbolicLink(tmp, Path.GetFileName(checkpointDir));
        // rename(2) replaces the old link in one step; File.Move would follow the links to their folders.
        if (OperatingSystem.IsWindows()) File.Move(tmp, link, overwrite: true);
        else if (Rename(tmp, link) != 0)
            throw new IOException($"{link}: cannot switch the link to {checkpointDir} (errno {Marshal.GetLastPInvokeError()})");
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    /// <summary>
    /// Deletes step folders beyond the newest <paramref name="keep"/>, never one that best or last points at, and
    /// the temporaries a killed process left: partial checkpoint folders and unfinished atomic files of other processes.
    /// </summary>
    public static void Prune(string runDir, int keep)
    {
        var pinned = new[] { Best, Last }.Select(n => new FileInfo(Path.Combine(runDir, n)).LinkTarget).Where(t => t is not null)
            .Select(t => Path.GetFileName(t!)).ToHashSet();
        var steps = StepDirs(runDir);
        foreach (var d in steps.Take(Math.Max(0, steps.Count - keep)))
            if (!pinned.Contains(Path.GetFileName(d))) Directory.Delete(d, true);
        foreach (var d in Directory.GetDirectories(runDir, ".tmp-*"))
            try { Directory.Delete(d, true); } catch (IOException) { }
        foreach (var f in Directory.GetFiles(runDir, ".*.tmp"))
            if (!Path.GetFileName(f).Contains($".{Environment.ProcessId}.", StringComparison.Ordinal))
                try { File.Delete(f); } catch (IOException) { }
    }

    /// <summary>The step folders of a run, oldest first.</summary>
    public static List<string> StepDirs(string runDir) =>
        Directory.GetDirectories(runDir, StepPrefix + "*").Where(d => !Path.GetFileName(d).Contains('.'))
            .OrderBy(d => d, StringComparer.Ordinal).ToList();

    /// <summary>
    /// A checkpoint folder from what a user passes: a checkpoint folder itself, or a run directory (its <c>best</c>).
    /// A run without a usable <c>best</c> (none yet, or a link to a missing or incomplete folder) is an error that
    /// says so and names <c>last</c>, never a silent switch to another checkpoint.
    /// </summary>
    public static string Resolve(string path)
    {
        if (File.Exists(Path.Combine(path, "model.safetensors"))) return path;
        var best = Path.Combine(path, Best);
        if (File.Exists(Path.Combine(best, "model.safetensors"))) return best;
        if (!Directory.Exists(path)) throw new InvalidDataException($"{path}: no such run or checkpoint directory");
        var last = Path.Combine(path, Last);
        string useLast = File.Exists(Path.Combine(last, "model.safetensors")) ? $"; to use the last checkpoint, give {last}" : "";
        var link = new FileInfo(best);
        if (link.LinkTarget is string target)
            throw new InvalidDataException($"{best}: damaged link (points at {target}, which holds no model.safetensors){useLast}");
        if (Directory.Exists(best))
            throw new InvalidDataException($"{best}: damaged checkpoint (no model.safetensors){useLast}");
        if (useLast.Length > 0 || StepDirs(path).Count > 0)
            throw new InvalidDataException($"{path}: the run has no best checkpoint (none is written before the first validation){useLast}");
        throw new InvalidDataException($"{path}: no checkpoint here (expected model.safetensors, or a run directory with best/)");
    }

    /// <summary>Loads a checkpoint folder (or run directory) for decoding; refuses one whose vocabularies do not match.</summary>
    public static LoadedModel LoadModel(string path)
    {
        var dir = Resolve(path);
        var (model, info) = Checkpoint.Load(Path.Combine(dir, "model.safetensors"));
        var config = ConfigLoader.LoadFile(Path.Combine(dir, "config.yaml"));
        var src = Vocabulary.Load(Path.Combine(dir, "src.vocab"));
        var trg = Vocabulary.Load(Path.Combine(dir, "trg.vocab"));
        if (info.Vocab.Source != src.Fingerprint || info.Vocab.Target != trg.Fingerprint)
            throw new InvalidDataException($"{dir}: the vocabularies' fingerprints ({src.Fingerprint}, {trg.Fingerprint}) differ from those the model was trained with ({info.Vocab.Source}, {info.Vocab.Target})");
        return new LoadedModel(model, config, src, trg, dir);
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
        var hash = Sha256(optPath);
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

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
