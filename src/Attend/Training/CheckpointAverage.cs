using Attend.Model;

namespace Attend.Training;

/// <summary>
/// Averages the weights of several checkpoints of one run (the newest N step folders), a cheap ensemble
/// that often beats the last checkpoint. All must share the architecture and vocabularies.
/// </summary>
public static class CheckpointAverage
{
    /// <summary>Writes the average of <paramref name="checkpointDirs"/> as a complete checkpoint folder at <paramref name="outDir"/>.</summary>
    public static void Write(IReadOnlyList<string> checkpointDirs, string outDir)
    {
        if (checkpointDirs.Count == 0) throw new ArgumentException("no checkpoints to average");
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
        if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        Directory.Move(tmp, outDir);
    }
}
