// The layout of a run directory and the loading of a checkpoint from it for translation.
using System.Runtime.InteropServices;
using Attend.Config;
using Attend.Model;
using Attend.Tensors;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Runs;

/// <summary>
/// The layout of a run directory. Each checkpoint is a self-contained folder <c>step-000123/</c> holding
/// <c>model.safetensors</c> + <c>model.json</c> (weights and architecture), <c>optimizer.safetensors</c>,
/// <c>trainer.json</c>, <c>config.yaml</c> and both vocabularies. It is written under a temporary name and
/// renamed into place when complete; <c>best</c> and <c>last</c> are symbolic links switched by an atomic
/// rename. A process killed at any moment therefore leaves <c>best</c> and <c>last</c> pointing at
/// complete checkpoints (the old or the new one), never at a half-written one. A checkpoint folder is never
/// replaced in place: a second save of the same step (a run resumed and stopped again before its next
/// update) goes to <c>step-000123-1/</c>, so the folder a link points at is never missing.
/// Writing checkpoints is Training's <c>RunCheckpoints</c>; this class knows the layout and loads a checkpoint to translate.
/// </summary>
internal static class RunDirectory
{
    public const string Best = "best", Last = "last";

    /// <summary>The run's metrics log beside its checkpoints (written by Training's <c>MetricsLog</c>).</summary>
    public const string MetricsFile = "metrics.jsonl";
    internal const string StepPrefix = "step-";

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
    public static LoadedModel LoadModel(string path) => LoadModel(path, null);

    /// <summary>
    /// Loads a checkpoint for decoding in <paramref name="precision"/> (null: as stored; see <see cref="ModelPrecision.Apply"/>):
    /// an fp32 checkpoint is quantized as it loads.
    /// </summary>
    public static LoadedModel LoadModel(string path, Precision? precision)
    {
        var dir = Resolve(path);
        var (model, info) = Checkpoint.Load(Path.Combine(dir, "model.safetensors"));
        ModelPrecision.Apply(model, precision, dir);
        var config = ConfigLoader.LoadFile(Path.Combine(dir, "config.yaml"));
        var src = Vocabulary.Load(Path.Combine(dir, "src.vocab"));
        var trg = Vocabulary.Load(Path.Combine(dir, "trg.vocab"));
        if (info.Vocab.Source != src.Fingerprint || info.Vocab.Target != trg.Fingerprint)
            throw new InvalidDataException($"{dir}: the vocabularies' fingerprints ({src.Fingerprint}, {trg.Fingerprint}) differ from those the model was trained with ({info.Vocab.Source}, {info.Vocab.Target})");
        return new LoadedModel(model, config, src, trg, dir);
    }
}
