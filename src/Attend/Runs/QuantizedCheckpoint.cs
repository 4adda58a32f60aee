// `attend quantize`: a checkpoint folder whose weight matrices are int8 or bf16, beside the files decoding reads.
using System.Text.Json;
using Attend.Model;
using Attend.Tensors;
using Attend.Text;

namespace Attend.Runs;

/// <summary>
/// Writes a quantized copy of a checkpoint: a self-contained checkpoint folder (<c>model.safetensors</c> with I8 or
/// BF16 weight matrices, <c>model.json</c>, <c>config.yaml</c>, the vocabularies and BPE codes) that translate,
/// serve, the library and ensembles load like any other. Built under a temporary name beside the destination and
/// renamed into place when complete, so the destination is either absent or whole.
/// </summary>
internal static class QuantizedCheckpoint
{
    /// <summary>Quantizes the checkpoint of <paramref name="source"/> (a run directory or checkpoint folder) into <paramref name="destination"/>.</summary>
    /// <returns>the checkpoint folder read and the bytes of the fp32 and the quantized weights files</returns>
    /// <exception cref="InvalidDataException">the source is not an fp32 checkpoint, or the destination exists</exception>
    public static (string Source, long SourceBytes, long Bytes) Write(string source, string destination, Precision precision)
    {
        if (precision == Precision.Fp32)
            throw new ArgumentException("quantize: the precision must be int8 or bf16", nameof(precision));
        var dir = RunDirectory.Resolve(source);
        if (Directory.Exists(destination) || File.Exists(destination))
            throw new InvalidDataException($"{destination}: already exists; give a new folder (a quantized checkpoint is never written over another)");
        var loaded = RunDirectory.LoadModel(dir);
        var stored = ModelPrecision.Of(loaded.Model);
        if (stored != Precision.Fp32)
            throw new InvalidDataException($"{dir}: the checkpoint is already {ModelPrecision.Name(stored)}; quantize its fp32 checkpoint");
        ModelPrecision.Quantize(loaded.Model, precision);

        var full = Path.GetFullPath(destination);
        var parent = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(parent);
        var tmp = Path.Combine(parent, $".tmp-{Path.GetFileName(full)}-{Environment.ProcessId}");
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        try
        {
            var weights = Path.Combine(tmp, "model.safetensors");
            // The sidecar keeps where training stood (step, epoch) beside the vocabularies' fingerprints.
            var sidecar = Checkpoint.SidecarPath(Path.Combine(dir, "model.safetensors"));
            var info = JsonSerializer.Deserialize<CheckpointInfo>(File.ReadAllBytes(sidecar), Checkpoint.Json)!;
            Checkpoint.Save(weights, loaded.Model, info.Vocab, info.Training);
            // The text side as it is: the same config, vocabularies (their fingerprints are in the sidecar) and codes.
            foreach (var file in new[] { "config.yaml", "src.vocab", "trg.vocab", TextSide.CodesFile })
                if (File.Exists(Path.Combine(dir, file))) File.Copy(Path.Combine(dir, file), Path.Combine(tmp, file));
            long bytes = new FileInfo(weights).Length;
            Directory.Move(tmp, full);
            return (dir, new FileInfo(Path.Combine(dir, "model.safetensors")).Length, bytes);
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
            throw;
        }
    }
}
