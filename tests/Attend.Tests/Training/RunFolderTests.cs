// Run folders: overwrite empties only what Attend created, names and paths fail before training, and a run
// that stopped before its first checkpoint can start again.
using Attend.Config;
using Attend.Runs;
using Attend.Tensors.IO;
using Attend.Training;

namespace Attend.Tests.Training;

public class RunFolderTests
{
    private static RunConfig Overwriting(string runDir, long steps) => TrainerTests.Tiny(runDir, steps) with
    {
        Training = TrainerTests.Tiny(runDir, steps).Training with { Overwrite = true },
    };

    [Fact]
    public void Overwrite_refuses_a_folder_that_is_not_a_run_and_leaves_it_untouched()
    {
        var dir = RepoPaths.TempDir("not-a-run");
        try
        {
            File.WriteAllText(Path.Combine(dir, "train.de"), "corpus\n");
            var e = Assert.Throws<ConfigException>(() => TrainingRun.Start(Overwriting(dir, 3), false, new RecordingObserver()));
            Assert.StartsWith($"{dir}: not an Attend run folder (no .attend-run)", e.Message);
            // Looking like an old run is not enough when something else lives there too.
            File.WriteAllText(Path.Combine(dir, "config.yaml"), "name: x\n");
            File.WriteAllText(Path.Combine(dir, MetricsLog.FileName), "");
            Assert.Throws<ConfigException>(() => TrainingRun.Start(Overwriting(dir, 3), false, new RecordingObserver()));
            Assert.Equal("corpus\n", File.ReadAllText(Path.Combine(dir, "train.de")));
            Assert.Equal(3, Directory.GetFileSystemEntries(dir).Length);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Overwrite_empties_a_marked_run_or_an_unmarked_old_run_and_says_what_it_removes()
    {
        var dir = RepoPaths.TempDir("rerun");
        try
        {
            TrainingRun.Start(Overwriting(dir, 7), false, new RecordingObserver()).Run();
            Assert.True(RunFolder.HasMarker(dir));
            var obs = new RecordingObserver();
            TrainingRun.Start(Overwriting(dir, 3), false, obs).Run();
            Assert.Contains(obs.Notes, n => n.StartsWith($"overwrite: removing ") && n.Contains($"of run folder {dir}: .attend-run, best, config.yaml"));
            Assert.Equal(["step-0000003"], RunDirectory.StepDirs(dir).Select(Path.GetFileName));
            // A run written before the marker existed: Attend's layout and nothing else.
            File.Delete(Path.Combine(dir, RunFolder.MarkerFile));
            Assert.True(RunFolder.IsRun(dir));
            TrainingRun.Start(Overwriting(dir, 3), true, new RecordingObserver()); // resuming marks it
            Assert.True(RunFolder.HasMarker(dir));
            File.Delete(Path.Combine(dir, RunFolder.MarkerFile));
            TrainingRun.Start(Overwriting(dir, 3), false, new RecordingObserver());
            Assert.True(RunFolder.HasMarker(dir));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("")]
    public void A_run_name_that_is_not_a_plain_folder_name_is_refused_before_anything_is_written(string name)
    {
        var config = TrainerTests.Tiny("", 3) with { Name = name };
        var e = Assert.Throws<ConfigException>(() => TrainingRun.Start(config, false, new RecordingObserver()));
        Assert.Equal($"name: '{name}' is not a plain folder name (the run goes to runs/NAME; give a path with training.run_dir)", e.Message);
    }

    [Fact]
    public void A_run_dir_through_a_missing_folder_trains_and_saves_and_one_behind_a_file_fails_at_once()
    {
        var dir = RepoPaths.TempDir("run-path");
        try
        {
            var through = Path.Combine(dir, "missing", "..", "run");
            var r = TrainingRun.Start(TrainerTests.Tiny(through, 3), false, new RecordingObserver()).Run();
            Assert.Equal(Path.Combine(dir, "run"), r.RunDir);
            Assert.True(File.Exists(Path.Combine(dir, "run", "last", "model.safetensors")));
            File.WriteAllText(Path.Combine(dir, "file"), "");
            var e = Assert.Throws<FileRefusedException>(() => TrainingRun.Start(TrainerTests.Tiny(Path.Combine(dir, "file", "run"), 3), false, new RecordingObserver()));
            Assert.StartsWith($"{Path.Combine(dir, "file", "run")}: cannot create the run folder", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_run_stopped_before_its_first_checkpoint_restarts_and_resumes_without_overwrite()
    {
        var dir = RepoPaths.TempDir("no-ckpt");
        try
        {
            // Start builds the folder (marker, config, held-out text); not running it is a kill before the first save.
            TrainingRun.Start(TrainerTests.Tiny(dir, 3), false, new RecordingObserver());
            Assert.True(RunFolder.HasNoCheckpoint(dir));
            var restart = new RecordingObserver();
            TrainingRun.Start(TrainerTests.Tiny(dir, 3), false, restart);
            Assert.Contains($"{dir}: a run with no checkpoint yet (it stopped before its first save); starting it again", restart.Notes);
            var resume = new RecordingObserver();
            var trainer = TrainingRun.Start(TrainerTests.Tiny(dir, 3), true, resume);
            Assert.Contains($"{dir}: no checkpoint yet (the run stopped before its first save); starting it from scratch", resume.Notes);
            Assert.Equal(0, trainer.Step);
            Assert.Equal(3, trainer.Run().Steps);
            // Once it has a checkpoint, the same restart is refused again.
            Assert.Throws<ConfigException>(() => TrainingRun.Start(TrainerTests.Tiny(dir, 3), false, new RecordingObserver()));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Pruning_removes_what_killed_processes_left_half_written_and_keeps_this_process_files()
    {
        var dir = RepoPaths.TempDir("prune");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, ".tmp-step-0000004-99999999"));
            File.WriteAllText(Path.Combine(dir, ".config.yaml.99999999.0123abcd.tmp"), "half");
            var mine = Path.Combine(dir, $".dev.src.{Environment.ProcessId}.0123abcd.tmp");
            File.WriteAllText(mine, "being written");
            RunCheckpoints.Prune(dir, 3);
            Assert.Equal([mine], Directory.GetFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
