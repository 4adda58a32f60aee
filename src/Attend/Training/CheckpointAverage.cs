using Attend.Model;
using Attend.Runs;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Training;

/// <summary>
/// Averages the weights of several checkpoints of one run (the newest N step folders), a cheap ensemble
/// that often beats the last checkpoint. All must share the architecture and vocabularies. The output folder is
/// written under a temporary name and moved into place; an existing one is replaced only if it is an averaged
/// checkpoint itself (<see cref="IsAveraged"/>), never a step checkpoint, a run or any other folder.
/// </summary>
internal static class CheckpointAverage
{
    /// <summary>The files an averaged checkpoint folder holds (model.safetensors among them).</summary>
    private static readonly string[] Files = ["model.safetensors", "model.json", "config.yaml", "src.vocab", "trg.vocab", TextSide.CodesFile];

    /// <summary>Writes the average of <paramref name="checkpointDirs"/> as a complete checkpoint folder at <paramref name="outDir"/>.</summary>
    public static void Write(IReadOnlyList<string> checkpointDirs, string outDir)
    {
        if (checkpointDirs.Count == 0) throw new ArgumentException("no checkpoints to average");
        CheckOutput(checkpointDirs, outDir);
        var first = RunDirectory.LoadModel(checkpointDirs[0]);
        var sums = first.Model.NamedParameters().Select(p => p.Param.Data.ToArray().Select(x => (double)x).ToArray()).ToList();
        foreach (var dir in checkpointDirs.Skip(1))
        {
            var m = RunDirectory.LoadModel(dir);
            if (m.Model.Config != first.Model.Config)
                throw new InvalidDataException($"{dir}: model config differs from {checkpointDirs[0]}; only checkpoints of one run can be averaged");
            if (m.SourceVocab.Fingerprint != first.SourceVocab.Fingerprint || m.TargetVocab.Fingerprint != first.TargetVocab.Fingerprint)
                throw new InvalidDataException($"{dir}: vocabularies differ from {checkpointDirs[0]}");
            int i = 0;
            foreach (var (_, p) in m.Model.NamedParameters())
            {
                var s = sums[i++];
                var d = p.Data;
                for (int j = 0; j < s.Length; j++) s[j] += d[j];
            }
        }
        int k = 0;
        foreach (var (_, p) in first.Model.NamedParameters())
        {
            var s = sums[k++];
            var d = p.Data;
            for (int j = 0; j < s.Length; j++) d[j] = (float)(s[j] / checkpointDirs.Count);
        }
        var tmp = outDir.TrimEnd('/') + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        Checkpoint.Save(Path.Combine(tmp, "model.safetensors"), first.Model,
            new VocabFingerprints(first.SourceVocab.Fingerprint, first.TargetVocab.Fingerprint));
        File.Copy(Path.Combine(first.Directory, "config.yaml"), Path.Combine(tmp, "config.yaml"));
        File.Copy(Path.Combine(first.Directory, "src.vocab"), Path.Combine(tmp, "src.vocab"));
        File.Copy(Path.Combine(first.Directory, "trg.vocab"), Path.Combine(tmp, "trg.vocab"));
        var codes = Path.Combine(first.Directory, TextSide.CodesFile);
        if (File.Exists(codes)) File.Copy(codes, Path.Combine(tmp, TextSide.CodesFile));
        if (!Directory.Exists(outDir))
        {
            Directory.Move(tmp, outDir);
            return;
        }
        // A folder cannot be renamed over a non-empty one: the old average steps aside, the new one moves in.
        var old = outDir.TrimEnd('/') + ".old-" + Environment.ProcessId;
        Directory.Move(outDir, old);
        Directory.Move(tmp, outDir);
        Directory.Delete(old, true);
    }

    /// <summary>True for a folder holding only an averaged checkpoint's files (no trainer state: not a step folder).</summary>
    public static bool IsAveraged(string dir) =>
        File.Exists(Path.Combine(dir, "model.safetensors"))
        && Directory.EnumerateFileSystemEntries(dir).All(e => Files.Contains(Path.GetFileName(e)));

    private static void CheckOutput(IReadOnlyList<string> inputs, string outDir)
    {
        var stat = FileStat.Of(outDir);
        if (stat.Kind == FileKind.Missing) return;
        if (stat.Kind != FileKind.Directory) throw new FileRefusedException(outDir, "--output exists and is not a folder");
        if (new DirectoryInfo(outDir).LinkTarget is not null) throw new FileRefusedException(outDir, "--output is a symbolic link; give the folder itself");
        foreach (var d in inputs)
            if (FileStat.SameFile(d, outDir)) throw new FileRefusedException(outDir, $"--output is the checkpoint {d} being averaged");
        if (Directory.EnumerateFileSystemEntries(outDir).Any() && !IsAveraged(outDir))
            throw new FileRefusedException(outDir, "--output exists and is not an averaged checkpoint; refusing to replace it (give a new folder)");
    }
}
