using System.Text.Json;
using Attend.Config;
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

    [Fact]
    public void SIGKILL_during_saves_never_leaves_a_corrupt_best_or_last()
    {
        var dir = RepoPaths.TempDir("kill");
        try
        {
            var cfg = WriteConfig(dir);
            var run = Path.Combine(dir, "run");
            var rng = new Random(11);
            int kills = 0;
            for (int round = 0; round < 5; round++)
            {
                bool resume = File.Exists(Path.Combine(run, "last", "model.safetensors"));
                using var p = resume ? new CliProcess("train", cfg, "--quiet", "--resume")
                                     : new CliProcess("train", cfg, "--quiet", "--set", "training.overwrite=true");
                // Every update writes a checkpoint, so a kill a few updates in lands in or near a save.
                var metrics = Path.Combine(run, MetricsLog.FileName);
                int before = File.Exists(metrics) ? File.ReadAllLines(metrics).Length : 0, target = rng.Next(4);
                Assert.True(WaitFor(() => File.Exists(metrics) && File.ReadAllLines(metrics).Length >= before + 2 + target
                                       && File.Exists(Path.Combine(run, "last", "model.safetensors")), TimeSpan.FromSeconds(120)),
                    "training did not start: " + p.Stderr);
                Thread.Sleep(rng.Next(0, 150));
                p.Signal("KILL");
                p.Wait(TimeSpan.FromSeconds(30));
                kills++;
                foreach (var name in new[] { RunDirectory.Best, RunDirectory.Last })
                {
                    var ckpt = Path.Combine(run, name);
                    if (!Directory.Exists(ckpt)) continue;
                    var loaded = RunDirectory.LoadModel(ckpt);
                    Assert.Equal(16, loaded.Model.Config.HiddenSize);
                }
                Assert.True(Directory.Exists(Path.Combine(run, RunDirectory.Last)), "no last checkpoint after a kill");
            }
            Assert.Equal(5, kills);
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
