using System.Text.Json;
using Attend.Config;
using Attend.Runs;
using Attend.Tests.Training;
using Attend.Training;

namespace Attend.Tests.Cli;

[Trait("Category", "Slow")]
public class TrainSignalTests
{
    /// <summary>A config that saves a checkpoint at every update and would train for a long time.</summary>
    private static string WriteConfig(string dir)
    {
        var path = Path.Combine(dir, "cfg.yaml");
        File.WriteAllText(path, $"""
            name: sig
            data:
              tokenizer: char
              demo_train_size: 320
              demo_dev_size: 8
              demo_test_size: 8
            model:
              embedding_size: 8
              hidden_size: 16
            training:
              batch_size: 32
              epochs: 10000
              validate_every: 1
              log_every: 1
              patience: 0
              print_samples: 0
              run_dir: {Path.Combine(dir, "run")}
            """);
        return path;
    }

    private static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (condition()) return true;
            Thread.Sleep(50);
        }
        return false;
    }

    private static long StepOf(string checkpointDir) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(checkpointDir, "trainer.json"))).RootElement.GetProperty("Step").GetInt64();

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public void A_signal_writes_a_loadable_checkpoint_and_exits_cleanly(string signal)
    {
        var dir = RepoPaths.TempDir("sig");
        try
        {
            var cfg = WriteConfig(dir);
            var run = Path.Combine(dir, "run");
            using var p = new CliProcess("train", cfg, "--quiet");
            Assert.True(WaitFor(() => File.Exists(Path.Combine(run, "last", "model.safetensors")), TimeSpan.FromSeconds(120)), "no checkpoint appeared: " + p.Stderr);
            p.Signal(signal);
            int code = p.Wait(TimeSpan.FromSeconds(60));
            Assert.True(code == 130, $"exit code {code}; stderr: {p.Stderr}");
            Assert.Contains("interrupted at step", p.Stderr);
            var loaded = RunDirectory.LoadModel(Path.Combine(run, "last"));
            Assert.Equal(16, loaded.Model.Config.HiddenSize);
            // The interrupted run resumes from where it stopped.
            long step = StepOf(Path.Combine(run, "last"));
            var trainer = TrainingRun.Start(ConfigLoader.LoadFile(cfg), resume: true, new RecordingObserver());
            Assert.Equal(step, trainer.Step);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static void AssertBestAndLastLoad(string run)
    {
        foreach (var name in new[] { RunDirectory.Best, RunDirectory.Last })
        {
            var ckpt = Path.Combine(run, name);
            if (new FileInfo(ckpt).LinkTarget is null && !Directory.Exists(ckpt)) continue;
            var loaded = RunDirectory.LoadModel(ckpt);
            Assert.Equal(16, loaded.Model.Config.HiddenSize);
            Assert.True(loaded.Directory.EndsWith(name), $"{name} did not resolve to itself but to {loaded.Directory}");
        }
        Assert.True(File.Exists(Path.Combine(run, RunDirectory.Last, "model.safetensors")), "no loadable last checkpoint after a kill");
    }

    private static string[] PartialSaves(string run) => Directory.GetDirectories(run, ".tmp-step-*");

    /// <summary>Complete files in a partial checkpoint folder (0 if it vanished meanwhile: the save finished).</summary>
    private static int FilesIn(string partial)
    {
        try { return Directory.GetFiles(partial).Count(f => !Path.GetFileName(f).Contains(".tmp")); }
        catch (DirectoryNotFoundException) { return 0; }
    }

    /// <summary>
    /// Kills the trainer with SIGKILL eight times. Even rounds kill it for certain inside a save: the child
    /// runs with ATTEND_SAVE_PAUSE_MS (the checkpoint writer pauses after each file), the test waits until a
    /// partial checkpoint folder holds 1–6 files, kills at once, and checks that the partial folder is still
    /// there (so the kill did land mid-save). Round 4 does this during a re-save of the same step (a resumed
    /// run that stops at once). Odd rounds kill at a random moment. After every kill <c>best</c> and
    /// <c>last</c> must load, and at the end the run still resumes.
    /// </summary>
    [Fact]
    public void SIGKILL_during_saves_never_leaves_a_corrupt_best_or_last()
    {
        var dir = RepoPaths.TempDir("kill");
        try
        {
            var cfg = WriteConfig(dir);
            var run = Path.Combine(dir, "run");
            var metrics = Path.Combine(run, MetricsLog.FileName);
            var rng = new Random(11);
            var slowSaves = new Dictionary<string, string> { ["ATTEND_SAVE_PAUSE_MS"] = "40" };
            int midSave = 0;
            for (int round = 0; round < 8; round++)
            {
                bool resume = File.Exists(Path.Combine(run, "last", "model.safetensors"));
                bool inSave = round % 2 == 0;
                var args = new List<string> { "train", cfg, "--quiet" };
                args.AddRange(resume ? ["--resume"] : ["--set", "training.overwrite=true"]);
                if (round == 4) args.AddRange(["--set", $"training.max_steps={StepOf(Path.Combine(run, "last"))}"]);
                using var p = new CliProcess(inSave ? slowSaves : new Dictionary<string, string>(), [.. args]);
                if (inSave)
                {
                    int files = 1 + rng.Next(6);
                    Assert.True(WaitFor(() => File.Exists(Path.Combine(run, "last", "model.safetensors")) && PartialSaves(run).Any(d => FilesIn(d) >= files),
                        TimeSpan.FromSeconds(120)), "no save started: " + p.Stderr);
                    p.KillNow();
                    p.Wait(TimeSpan.FromSeconds(30));
                    Assert.True(PartialSaves(run).Length > 0, "the kill did not land inside a save");
                    midSave++;
                }
                else
                {
                    int before = File.Exists(metrics) ? File.ReadAllLines(metrics).Length : 0, target = rng.Next(4);
                    Assert.True(WaitFor(() => File.Exists(metrics) && File.ReadAllLines(metrics).Length >= before + 2 + target
                                           && File.Exists(Path.Combine(run, "last", "model.safetensors")), TimeSpan.FromSeconds(120)),
                        "training did not start: " + p.Stderr);
                    Thread.Sleep(rng.Next(0, 150));
                    p.KillNow();
                    p.Wait(TimeSpan.FromSeconds(30));
                }
                AssertBestAndLastLoad(run);
            }
            Assert.Equal(4, midSave);
            // And the run still resumes after all that.
            var trainer = TrainingRun.Start(ConfigLoader.LoadFile(cfg), resume: true, new RecordingObserver());
            Assert.True(trainer.Step > 0);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
