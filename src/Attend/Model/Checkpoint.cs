using System.Text.Json;
using System.Text.Json.Serialization;
using Attend.Nn;
using Attend.Tensors;
using Attend.Tensors.IO;

namespace Attend.Model;

/// <summary>Where training stood when a checkpoint was written.</summary>
internal sealed record TrainingState(long Step = 0, int Epoch = 0, ulong[]? RngState = null);

/// <summary>Fingerprints of the vocabularies the model's ids refer to (strings provided by the text pipeline).</summary>
internal sealed record VocabFingerprints(string? Source = null, string? Target = null);

/// <summary>The JSON sidecar beside the weights: resolved config, vocabularies, training state, and the weights' hash.</summary>
internal sealed record CheckpointInfo(ModelConfig Config, VocabFingerprints Vocab, TrainingState Training)
{
    public string Format { get; init; } = Checkpoint.FormatName;
    public string WeightsFile { get; init; } = "";
    public string WeightsSha256 { get; init; } = "";
    /// <summary>
    /// Always empty: kept so that sidecars read and write as before. A run's optimizer state is
    /// <c>optimizer.safetensors</c> beside <c>trainer.json</c>, which records its hash.
    /// </summary>
    public string OptimizerFile { get; init; } = "";
    public string OptimizerSha256 { get; init; } = "";
}

/// <summary>
/// Checkpoints: the weights as safetensors under PyTorch's names and layouts (readable from Python as a
/// state_dict) plus a JSON sidecar <c>name.json</c>. Both are written atomically (temp file + rename),
/// the weights first; the sidecar records the weights' SHA-256, so a torn or corrupted pair is refused.
/// </summary>
internal static class Checkpoint
{
    public const string FormatName = "attend-checkpoint/1";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The sidecar path of a weights file: model.safetensors → model.json.</summary>
    public static string SidecarPath(string weightsPath) => Path.ChangeExtension(weightsPath, ".json");

    /// <summary>Writes the model's weights to <paramref name="weightsPath"/>, then the sidecar.</summary>
    public static void Save(string weightsPath, Seq2Seq model, VocabFingerprints? vocab = null, TrainingState? training = null)
    {
        SafeTensorsFile.Write(weightsPath, model.NamedParameters(), new Dictionary<string, string> { ["format"] = FormatName });
        var info = new CheckpointInfo(model.Config, vocab ?? new(), training ?? new())
        {
            WeightsFile = Path.GetFileName(weightsPath),
            WeightsSha256 = FileHash.Sha256(weightsPath),
        };
        WriteAtomic(SidecarPath(weightsPath), JsonSerializer.SerializeToUtf8Bytes(info, Json));
    }

    /// <summary>Reads the sidecar, checks the weights' hash, builds the model and loads its weights.</summary>
    /// <exception cref="InvalidDataException">the sidecar or weights are corrupt, or do not match the config</exception>
    public static (Seq2Seq Model, CheckpointInfo Info) Load(string weightsPath)
    {
        var sidecar = SidecarPath(weightsPath);
        InputFile.Check(weightsPath);
        CheckpointInfo info;
        try
        {
            info = JsonSerializer.Deserialize<CheckpointInfo>(InputFile.ReadAllBytes(sidecar), Json)
                   ?? throw new InvalidDataException($"{sidecar}: empty checkpoint sidecar");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sidecar}: not a valid checkpoint sidecar ({e.Message})", e);
        }
        if (info.Format != FormatName)
            throw new InvalidDataException($"{sidecar}: format '{info.Format}', expected '{FormatName}'");
        var hash = FileHash.Sha256(weightsPath);
        if (!string.Equals(hash, info.WeightsSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{weightsPath}: SHA-256 {hash} does not match {info.WeightsSha256} recorded in {sidecar} (corrupted, truncated or from another save)");
        var model = new Seq2Seq(info.Config);
        LoadWeights(model, weightsPath);
        return (model, info);
    }

    /// <summary>
    /// Copies every tensor of a safetensors file onto the module's parameter of the same name. Missing,
    /// unexpected and mis-shaped tensors are errors that name the tensor (and both shapes).
    /// </summary>
    public static void LoadWeights(Module module, string path)
    {
        var file = SafeTensorsFile.Read(path);
        var ours = module.NamedParameters().ToList();
        var expected = ours.Select(x => x.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = file.Names.Where(n => !expected.Contains(n)).ToList();
        if (unexpected.Count > 0)
            throw new InvalidDataException($"{path}: tensor '{unexpected[0]}' is not a parameter of this model ({unexpected.Count} unexpected: {string.Join(", ", unexpected.Take(5))})");
        foreach (var (name, p) in ours)
        {
            if (!file.Contains(name))
                throw new InvalidDataException($"{path}: parameter '{name}' {ShapeOf.Format(p.Shape)} is missing from the checkpoint");
            var (data, shape) = file.GetFloat(name);
            if (!ShapeOf.Same(shape, p.Shape))
                throw new InvalidDataException($"{path}: tensor '{name}' has shape {ShapeOf.Format(shape)} in the checkpoint but {ShapeOf.Format(p.Shape)} in the model");
            data.CopyTo(p.Data);
        }
    }

    private static void WriteAtomic(string path, byte[] bytes)
    {
        AtomicFile.WriteAllBytes(path, bytes);
    }
}
