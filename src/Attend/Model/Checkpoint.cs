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
    /// <summary>
    /// How the weight matrices are stored (<see cref="ModelPrecision"/>): fp32 (left out of the file, as every
    /// checkpoint training writes), int8 (I8 tensors with an F32 <c>name_scale</c> of one scale per row) or bf16.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Precision Precision { get; init; }
}

/// <summary>
/// Checkpoints: the weights as safetensors under PyTorch's names and layouts (readable from Python as a
/// state_dict) plus a JSON sidecar <c>name.json</c>. Both are written atomically (temp file + rename),
/// the weights first; the sidecar records the weights' SHA-256, so a torn or corrupted pair is refused. A quantized
/// model (<see cref="ModelPrecision"/>) saves its weight matrices as I8 plus <c>name_scale</c> [rows], or as BF16.
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

    /// <summary>Suffix of the F32 tensor holding an int8 weight's row scales: <c>decoder.out.weight_scale</c>.</summary>
    public const string ScaleSuffix = "_scale";

    /// <summary>Writes the model's weights to <paramref name="weightsPath"/> (in their precision), then the sidecar.</summary>
    public static void Save(string weightsPath, Seq2Seq model, VocabFingerprints? vocab = null, TrainingState? training = null)
    {
        var precision = ModelPrecision.Of(model);
        var metadata = new Dictionary<string, string> { ["format"] = FormatName };
        if (precision != Precision.Fp32) metadata["precision"] = ModelPrecision.Name(precision);
        SafeTensorsFile.Write(weightsPath, model.NamedParameters().SelectMany(p => Entries(p.Name, p.Param)), metadata);
        var info = new CheckpointInfo(model.Config, vocab ?? new(), training ?? new())
        {
            WeightsFile = Path.GetFileName(weightsPath),
            WeightsSha256 = FileHash.Sha256(weightsPath),
            Precision = precision,
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
        LoadWeights(model, weightsPath, info.Precision);
        return (model, info);
    }

    /// <summary>A parameter as stored: F32, or I8 with its row scales, or BF16.</summary>
    private static IEnumerable<SafeTensorsEntry> Entries(string name, Tensor p)
    {
        if (p.Quantized is not { } q)
        {
            yield return SafeTensorsEntry.From(name, p);
            yield break;
        }
        if (q.Int8Values() is var (ints, scales))
        {
            yield return SafeTensorsEntry.Int8(name, ints, p.Shape);
            yield return SafeTensorsEntry.Float(name + ScaleSuffix, scales, scales.Length);
        }
        else yield return SafeTensorsEntry.Bf16(name, q.Bf16Bits!, p.Shape);
    }

    /// <summary>
    /// Copies every tensor of a safetensors file onto the module's parameter of the same name; in a quantized
    /// checkpoint (<paramref name="precision"/>) the weight matrices are I8 with row scales, or BF16. Missing,
    /// unexpected, mis-shaped and mis-typed tensors are errors that name the tensor (and both shapes).
    /// </summary>
    public static void LoadWeights(Module module, string path, Precision precision = Precision.Fp32)
    {
        var file = SafeTensorsFile.Read(path);
        var ours = module.NamedParameters().ToList();
        var expected = ours.Select(x => x.Name).ToHashSet(StringComparer.Ordinal);
        if (precision == Precision.Int8)
            foreach (var (name, p) in ours)
                if (ModelPrecision.IsQuantizable(p)) expected.Add(name + ScaleSuffix);
        var unexpected = file.Names.Where(n => !expected.Contains(n)).ToList();
        if (unexpected.Count > 0)
            throw new InvalidDataException($"{path}: tensor '{unexpected[0]}' is not a parameter of this model ({unexpected.Count} unexpected: {string.Join(", ", unexpected.Take(5))})");
        foreach (var (name, p) in ours)
        {
            if (!file.Contains(name))
                throw new InvalidDataException($"{path}: parameter '{name}' {ShapeOf.Format(p.Shape)} is missing from the checkpoint");
            var stored = file.Info(name);
            if (!ShapeOf.Same(stored.Shape, p.Shape))
                throw new InvalidDataException(
                    $"{path}: tensor '{name}' has shape {ShapeOf.Format(stored.Shape)} in the checkpoint but {ShapeOf.Format(p.Shape)} in the model");
            var dtype = precision == Precision.Fp32 || !ModelPrecision.IsQuantizable(p) ? SafeDType.F32
                : precision == Precision.Int8 ? SafeDType.I8 : SafeDType.BF16;
            if (stored.DType != dtype)
                throw new InvalidDataException(
                    $"{path}: tensor '{name}' is {stored.DType}, expected {dtype} (the sidecar says the weights are {ModelPrecision.Name(precision)})");
            if (dtype == SafeDType.F32) file.GetFloat(name).Data.CopyTo(p.Data);
            else p.UseQuantized(ReadQuantized(file, name, p.Shape[0], p.Shape[1], dtype));
        }
    }

    private static QuantizedWeight ReadQuantized(SafeTensorsFile file, string name, int n, int k, SafeDType dtype)
    {
        try
        {
            if (dtype == SafeDType.BF16) return QuantizedWeight.FromBf16(file.GetBf16(name).Data, n, k);
            var scale = name + ScaleSuffix;
            if (!file.Contains(scale))
                throw new InvalidDataException($"{file.Path}: int8 tensor '{name}' has no row scales '{scale}'");
            var (scales, shape) = file.GetFloat(scale);
            if (shape.Length != 1 || shape[0] != n)
                throw new InvalidDataException(
                    $"{file.Path}: tensor '{scale}' has shape {ShapeOf.Format(shape)}, expected [{n}] (one scale per row of '{name}')");
            return QuantizedWeight.FromInt8(file.GetInt8(name).Data, scales, n, k);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{file.Path}: tensor '{name}': {e.Message}", e);
        }
    }

    private static void WriteAtomic(string path, byte[] bytes)
    {
        AtomicFile.WriteAllBytes(path, bytes);
    }
}
