// Loading a run for TranslationModel: what is missing or damaged becomes one ModelLoadException naming the path.
using Attend.Config;
using Attend.Model;
using Attend.Runs;
using Attend.Tensors;
using Attend.Text;

namespace Attend;

/// <summary>
/// Checks a path before handing it to <see cref="RunDirectory.LoadModel(string)"/>, so that each way a run can be unusable
/// gets its own <see cref="ModelLoadProblem"/> and a message that names the folder or file.
/// </summary>
internal static class CheckedLoad
{
    /// <summary>The files of a checkpoint folder that decoding reads (and <c>bpe.codes</c> when the run has BPE).</summary>
    private static readonly string[] Required =
        ["model.safetensors", "model.json", "config.yaml", "src.vocab", "trg.vocab"];

    /// <summary>Loads the checkpoint of a run directory (its best, else last) or of a checkpoint folder.</summary>
    /// <exception cref="ModelLoadException">the path is missing, or holds no checkpoint, or an incomplete or damaged
    /// one</exception>
    public static LoadedModel Load(string path) => Load(path, null);

    /// <summary>The same in <paramref name="precision"/> (null: as stored), see <see cref="RunDirectory.LoadModel(string, Precision?)"/>.</summary>
    public static LoadedModel Load(string path, Precision? precision)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("expected a run directory or a checkpoint folder, got an empty path", nameof(path));
        if (File.Exists(path))
            throw new ModelLoadException(path, ModelLoadProblem.NotFound,
                "is a file; expected a run directory or a checkpoint folder");
        if (!Directory.Exists(path))
            throw new ModelLoadException(path, ModelLoadProblem.NotFound, "no such run or checkpoint directory");
        var dir = CheckpointOf(path);
        foreach (var file in Required)
            if (!File.Exists(Path.Combine(dir, file)))
                throw new ModelLoadException(dir, ModelLoadProblem.MissingFile, $"{file} is missing (an incomplete checkpoint)");
        var loaded = LoadStored(dir);
        try
        {
            ModelPrecision.Apply(loaded.Model, precision, dir);
        }
        catch (InvalidDataException e)
        {
            throw new ModelLoadException(dir, ModelLoadProblem.Incompatible, e.Message, e);
        }
        return loaded;
    }

    /// <summary>The checkpoint in <paramref name="dir"/> in the precision it was stored in.</summary>
    private static LoadedModel LoadStored(string dir)
    {
        try
        {
            var config = ConfigLoader.LoadFile(Path.Combine(dir, "config.yaml"));
            if (config.Data.BpeMerges > 0 && !File.Exists(Path.Combine(dir, TextSide.CodesFile)))
                throw new ModelLoadException(dir, ModelLoadProblem.MissingFile,
                    $"{TextSide.CodesFile} is missing (the run's data.bpe_merges is {config.Data.BpeMerges})");
            return RunDirectory.LoadModel(dir);
        }
        catch (FileNotFoundException e)
        {
            throw new ModelLoadException(dir, ModelLoadProblem.MissingFile, e.Message, e);
        }
        catch (Exception e) when (e is not (ModelLoadException or OutOfMemoryException or OperationCanceledException))
        {
            // Every loader below names the file in its message (a hash mismatch, a bad vocabulary line, a config key).
            throw new ModelLoadException(dir, ModelLoadProblem.Damaged, $"cannot load the checkpoint: {e.Message}", e);
        }
    }

    /// <summary>The checkpoint folder of <paramref name="path"/>: itself, its <c>best/</c>, else <c>last/</c>.</summary>
    private static string CheckpointOf(string path)
    {
        if (File.Exists(Path.Combine(path, "model.safetensors"))) return path;
        foreach (var name in new[] { RunDirectory.Best, RunDirectory.Last })
            if (File.Exists(Path.Combine(path, name, "model.safetensors"))) return Path.Combine(path, name);
        // A checkpoint folder that lost its weights is incomplete, not empty.
        if (File.Exists(Path.Combine(path, "model.json")))
            throw new ModelLoadException(path, ModelLoadProblem.MissingFile, "model.safetensors is missing (an incomplete checkpoint)");
        throw new ModelLoadException(path, ModelLoadProblem.NoCheckpoint,
            "no checkpoint here (expected model.safetensors, or a run directory with best/ or last/)");
    }

    /// <summary>Refuses an ensemble whose members do not share the first one's vocabularies (ids mean other tokens).</summary>
    public static void CheckSameVocabularies(IReadOnlyList<LoadedModel> models)
    {
        var first = models[0];
        foreach (var other in models.Skip(1))
            if (other.SourceVocab.Fingerprint != first.SourceVocab.Fingerprint
                || other.TargetVocab.Fingerprint != first.TargetVocab.Fingerprint)
                throw new ModelLoadException(other.Directory, ModelLoadProblem.Incompatible,
                    $"vocabularies differ from {first.Directory}; an ensemble needs shared vocabularies");
    }
}
