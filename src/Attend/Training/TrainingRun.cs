using Attend.Config;
using Attend.Text;

namespace Attend.Training;

/// <summary>Starting a run: its directory, the resolved config saved in it, the data, and a fresh or resumed trainer.</summary>
public static class TrainingRun
{
    /// <summary>Where a run keeps its prepared corpus (unless <c>data.source</c> is <c>prepared</c>): RUN/data.</summary>
    public static string PreparedDir(string runDir) => Path.Combine(runDir, "data");

    public static string DirectoryOf(RunConfig config) =>
        config.Training.RunDir.Length > 0 ? config.Training.RunDir : Path.Combine("runs", config.Name);

    /// <summary>
    /// Prepares the run directory and a trainer. Without <paramref name="resume"/> an existing run is an error
    /// unless <c>training.overwrite</c>; with it, <c>last</c> must exist, the vocabularies come from it so ids
    /// cannot shift, changed settings follow <see cref="ResumePolicy"/>, and metrics past its step are dropped.
    /// </summary>
    public static Trainer Start(RunConfig config, bool resume, ITrainingObserver observer)
    {
        var dir = DirectoryOf(config);
        if (resume)
        {
            var last = Path.Combine(dir, RunDirectory.Last);
            if (!File.Exists(Path.Combine(last, "model.safetensors")))
                throw new InvalidDataException($"{dir}: nothing to resume (no {RunDirectory.Last} checkpoint)");
            var recorded = Path.Combine(last, "config.yaml");
            ResumePolicy.Check(ConfigLoader.LoadFile(recorded), config, recorded);
            var vocabs = (Vocabulary.Load(Path.Combine(last, "src.vocab")), Vocabulary.Load(Path.Combine(last, "trg.vocab")));
            var codes = Path.Combine(last, TextSide.CodesFile);
            var data = TrainingData.Open(config, PreparedDir(dir), vocabs, File.Exists(codes) ? BpeCodes.Load(codes) : null, observer.Note);
            var trainer = new Trainer(config, data, dir, observer);
            trainer.RestoreFrom(last);
            MetricsLog.DropAfter(dir, trainer.Step);
            File.WriteAllText(Path.Combine(dir, "config.yaml"), ConfigLoader.ToYaml(config));
            observer.Note($"resuming {dir} at step {trainer.Step}");
            return trainer;
        }
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
        {
            if (!config.Training.Overwrite)
                throw new ConfigException($"{dir}: run directory exists; use --resume to continue it or --set training.overwrite=true to start over");
            foreach (var e in Directory.EnumerateFileSystemEntries(dir))
            {
                if (new FileInfo(e).LinkTarget is not null || File.Exists(e)) File.Delete(e);
                else Directory.Delete(e, true);
            }
        }
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.yaml"), ConfigLoader.ToYaml(config));
        var fresh = TrainingData.Open(config, PreparedDir(dir), note: observer.Note);
        WriteHeldOut(dir, fresh);
        observer.Note($"{fresh.Train.Count} training pairs ({fresh.DroppedTooLong} dropped as too long), {fresh.Dev.Count} dev, {fresh.Test.Count} test; " +
                      $"vocabularies {fresh.SourceVocab.Count} / {fresh.TargetVocab.Count}");
        return new Trainer(config, fresh, dir, observer);
    }

    /// <summary>
    /// Writes the raw text of the held-out splits as RUN/{dev,test}.{src,trg} (one sentence per line), so that a
    /// seeded split (<c>data.source: tsv</c>) or a generated one (demo) can be translated and scored afterwards
    /// exactly as the run held it out.
    /// </summary>
    public static void WriteHeldOut(string dir, TrainingData data)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, examples) in new[] { ("dev", data.Dev), ("test", data.Test) })
        {
            File.WriteAllLines(Path.Combine(dir, name + ".src"), examples.Select(e => e.SourceText));
            File.WriteAllLines(Path.Combine(dir, name + ".trg"), examples.Select(e => e.TargetText));
        }
    }
}
