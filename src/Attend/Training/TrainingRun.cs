using Attend.Config;
using Attend.Runs;
using Attend.Tensors.Distributed;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Training;

/// <summary>Starting a run: its directory, the resolved config saved in it, the data, and a fresh or resumed trainer.</summary>
internal static class TrainingRun
{
    /// <summary>Where a run keeps its prepared corpus (unless <c>data.source</c> is <c>prepared</c>): RUN/data.</summary>
    public static string PreparedDir(string runDir) => Path.Combine(runDir, "data");

    /// <summary>The run folder of a config; see <see cref="RunFolder.Of"/>.</summary>
    public static string DirectoryOf(RunConfig config) => RunFolder.Of(config);

    /// <summary>
    /// Prepares the run directory and a trainer. Without <paramref name="resume"/> an existing run is an error
    /// unless <c>training.overwrite</c> (which empties only a run folder, <see cref="RunFolder"/>); with it,
    /// <c>last</c> must exist, the vocabularies come from it so ids cannot shift, changed settings follow
    /// <see cref="ResumePolicy"/>, and metrics past its step are dropped. A run that stopped before its first
    /// checkpoint starts again from scratch either way.
    /// With a communicator of several ranks, rank 0 alone does all of that (with <paramref name="observer"/>); the
    /// other ranks then open the data and checkpoint rank 0 prepared (the run folder must be on a file system they
    /// share) and train silently.
    /// </summary>
    public static Trainer Start(RunConfig config, bool resume, ITrainingObserver observer, ICommunicator? comm = null)
    {
        comm ??= SingleProcess.Instance;
        if (comm.Size == 1) return StartAlone(config, resume, observer, comm);
        var trainer = comm.Rank == 0 ? StartAlone(config, resume, observer, comm) : null;
        Span<byte> ready = [1];
        comm.Broadcast(ready); // the others wait here until rank 0 has prepared the folder
        return trainer ?? Follow(config, resume, comm);
    }

    /// <summary>A rank other than 0: the run rank 0 just set up, from its last checkpoint when it resumed one.</summary>
    private static Trainer Follow(RunConfig config, bool resume, ICommunicator comm)
    {
        var dir = DirectoryOf(config);
        var last = Path.Combine(dir, RunDirectory.Last);
        if (!resume || !File.Exists(Path.Combine(last, "model.safetensors")))
            return new Trainer(config, TrainingData.Open(config, PreparedDir(dir)), dir, ITrainingObserver.Silent, comm: comm);
        var vocabs = (Vocabulary.Load(Path.Combine(last, "src.vocab")), Vocabulary.Load(Path.Combine(last, "trg.vocab")));
        var codes = Path.Combine(last, TextSide.CodesFile);
        var data = TrainingData.Open(config, PreparedDir(dir), vocabs, File.Exists(codes) ? BpeCodes.Load(codes) : null);
        var trainer = new Trainer(config, data, dir, ITrainingObserver.Silent, comm: comm);
        trainer.RestoreFrom(last);
        return trainer;
    }

    private static Trainer StartAlone(RunConfig config, bool resume, ITrainingObserver observer, ICommunicator comm)
    {
        var dir = DirectoryOf(config);
        if (resume)
        {
            var last = Path.Combine(dir, RunDirectory.Last);
            if (!Directory.Exists(dir)) throw new InvalidDataException($"{dir}: nothing to resume (no such run folder)");
            // Killed between renaming a checkpoint into place and linking it: the newest step folder is complete.
            if (FileStat.Of(last).Kind == FileKind.Missing && RunDirectory.StepDirs(dir) is [.., var newest])
            {
                RunDirectory.Link(dir, RunDirectory.Last, newest);
                observer.Note($"{dir}: {RunDirectory.Last} was missing; linked it to the newest checkpoint {Path.GetFileName(newest)}");
            }
            if (!File.Exists(Path.Combine(last, "model.safetensors")))
            {
                if (!RunFolder.IsRun(dir) || !RunFolder.HasNoCheckpoint(dir))
                    throw new InvalidDataException($"{dir}: nothing to resume (no {RunDirectory.Last} checkpoint)");
                observer.Note($"{dir}: no checkpoint yet (the run stopped before its first save); starting it from scratch");
                return Fresh(config, dir, observer, "restart", comm);
            }
            var recorded = Path.Combine(last, "config.yaml");
            ResumePolicy.Check(ConfigLoader.LoadFile(recorded), config, recorded);
            var vocabs = (Vocabulary.Load(Path.Combine(last, "src.vocab")), Vocabulary.Load(Path.Combine(last, "trg.vocab")));
            var codes = Path.Combine(last, TextSide.CodesFile);
            var data = TrainingData.Open(config, PreparedDir(dir), vocabs, File.Exists(codes) ? BpeCodes.Load(codes) : null, observer.Note);
            var trainer = new Trainer(config, data, dir, observer, comm: comm);
            trainer.RestoreFrom(last);
            MetricsLog.DropAfter(dir, trainer.Step);
            if (!RunFolder.HasMarker(dir)) RunFolder.Create(dir); // a run from before the marker existed
            AtomicFile.WriteAllText(Path.Combine(dir, "config.yaml"), ConfigLoader.ToYaml(config));
            observer.Note($"resuming {dir} at step {trainer.Step}");
            return trainer;
        }
        string why = "overwrite";
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any() && RunFolder.IsRun(dir) && RunFolder.HasNoCheckpoint(dir))
        {
            observer.Note($"{dir}: a run with no checkpoint yet (it stopped before its first save); starting it again");
            why = "restart";
        }
        else if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any() && !config.Training.Overwrite)
            throw new ConfigException($"{dir}: run directory exists; use --resume to continue it or --set training.overwrite=true to start over");
        return Fresh(config, dir, observer, why, comm);
    }

    /// <summary>Empties the folder if it holds anything (a run folder only), marks it as a run and starts a new trainer.</summary>
    private static Trainer Fresh(RunConfig config, string dir, ITrainingObserver observer, string why, ICommunicator comm)
    {
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any()) RunFolder.Clear(dir, why, observer.Note);
        RunFolder.Create(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, "config.yaml"), ConfigLoader.ToYaml(config));
        var fresh = TrainingData.Open(config, PreparedDir(dir), note: observer.Note);
        WriteHeldOut(dir, fresh);
        observer.Note($"{fresh.Train.Count} training pairs ({fresh.DroppedTooLong} dropped as too long), {fresh.Dev.Count} dev, {fresh.Test.Count} test; " +
                      $"vocabularies {fresh.SourceVocab.Count} / {fresh.TargetVocab.Count}");
        return new Trainer(config, fresh, dir, observer, comm: comm);
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
            AtomicFile.WriteAllText(Path.Combine(dir, name + ".src"), string.Concat(examples.Select(e => e.SourceText + "\n")));
            AtomicFile.WriteAllText(Path.Combine(dir, name + ".trg"), string.Concat(examples.Select(e => e.TargetText + "\n")));
        }
    }
}
