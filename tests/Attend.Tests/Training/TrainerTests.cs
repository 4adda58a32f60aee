using Attend.Config;
using Attend.Runs;
using Attend.Training;

namespace Attend.Tests.Training;

/// <summary>Records what a run reports, for assertions.</summary>
internal sealed class RecordingObserver : ITrainingObserver
{
    public List<ValidationResult> Validations { get; } = [];
    public List<string> Notes { get; } = [];
    public void Progress(TrainProgress p) { }
    public void Validated(ValidationResult v, bool isBest) => Validations.Add(v);
    public void Note(string message) => Notes.Add(message);
}

public class TrainerTests
{
    /// <summary>A run small enough for unit tests: 160 dates, a 16-unit model; dropout and teacher forcing below 1 so the RNG matters.</summary>
    internal static RunConfig Tiny(string runDir, long maxSteps) => ConfigLoader.Load("""
        name: tiny
        seed: 3
        data:
          tokenizer: char
          demo_train_size: 160
          demo_dev_size: 16
          demo_test_size: 16
        model:
          embedding_size: 8
          hidden_size: 16
          dropout: 0.1
        training:
          lr: 0.01
          batch_size: 32
          epochs: 100
          validate_every: 7
          teacher_forcing: 0.7
          label_smoothing: 0.1
          schedule: inverse_sqrt
          warmup_steps: 4
          print_samples: 0
        """, "tiny", [$"training.max_steps={maxSteps}", $"training.run_dir={runDir}"]);

    [Fact]
    public void Training_2N_steps_equals_N_then_resume_N_bit_exactly()
    {
        var root = RepoPaths.TempDir("resume");
        try
        {
            string straight = Path.Combine(root, "straight"), split = Path.Combine(root, "split");
            var a = TrainingRun.Start(Tiny(straight, 12), resume: false, new RecordingObserver()).Run();
            Assert.Equal(StopReason.MaxSteps, a.Reason);
            // 5 batches per epoch: the first half ends inside epoch 2, so the resume restarts mid-epoch.
            TrainingRun.Start(Tiny(split, 6), resume: false, new RecordingObserver()).Run();
            var resumed = TrainingRun.Start(Tiny(split, 12), resume: true, new RecordingObserver());
            Assert.Equal(6, resumed.Step);
            resumed.Run();
            foreach (var file in new[] { "model.safetensors", "optimizer.safetensors" })
                Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "last", file)), File.ReadAllBytes(Path.Combine(split, "last", file)));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Sharded_token_batches_with_accumulation_resume_mid_epoch_bit_exactly()
    {
        var root = RepoPaths.TempDir("resume-shards");
        try
        {
            // 160 pairs in 4 shards of 40, token batches, 2 batches an update: the resume after 5 updates starts
            // in the middle of an epoch, after a shard or two of it.
            string[] extra = ["data.shard_pairs=40", "training.batch_type=tokens", "training.batch_size=300", "training.accumulate=2"];
            RunConfig Config(string dir, long steps) => ConfigLoader.Load(ConfigLoader.ToYaml(Tiny(dir, steps)), "tiny", extra);
            string straight = Path.Combine(root, "straight"), split = Path.Combine(root, "split");
            TrainingRun.Start(Config(straight, 10), resume: false, new RecordingObserver()).Run();
            Assert.Equal(4, Attend.Corpus.PreparedCorpus.Open(TrainingRun.PreparedDir(straight)).Shards("train").Count);
            TrainingRun.Start(Config(split, 5), resume: false, new RecordingObserver()).Run();
            var resumed = TrainingRun.Start(Config(split, 10), resume: true, new RecordingObserver());
            Assert.Equal(5, resumed.Step);
            resumed.Run();
            foreach (var file in new[] { "model.safetensors", "optimizer.safetensors" })
                Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "last", file)), File.ReadAllBytes(Path.Combine(split, "last", file)));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void A_run_writes_config_metrics_and_loadable_best_and_last()
    {
        var dir = RepoPaths.TempDir("run");
        try
        {
            var obs = new RecordingObserver();
            var r = TrainingRun.Start(Tiny(dir, 8), false, obs).Run();
            Assert.Equal(8, r.Steps);
            Assert.Equal([7L, 8L], obs.Validations.Select(v => v.Step));
            Assert.Equal(Tiny(dir, 8), ConfigLoader.LoadFile(Path.Combine(dir, "config.yaml")));
            var lines = File.ReadAllLines(Path.Combine(dir, MetricsLog.FileName));
            Assert.Contains(lines, l => l.Contains("\"kind\":\"valid\""));
            var best = RunDirectory.LoadModel(dir);
            Assert.Equal(16, best.Model.Config.HiddenSize);
            Assert.NotNull(RunDirectory.LoadModel(Path.Combine(dir, "last")));
            // An existing run is not overwritten by accident.
            var e = Assert.Throws<ConfigException>(() => TrainingRun.Start(Tiny(dir, 8), false, obs));
            Assert.Contains("--resume", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_truncated_or_corrupted_checkpoint_is_refused_with_a_clear_message()
    {
        var dir = RepoPaths.TempDir("corrupt");
        try
        {
            TrainingRun.Start(Tiny(dir, 3), false, new RecordingObserver()).Run();
            var weights = Path.Combine(dir, "last", "model.safetensors");
            var bytes = File.ReadAllBytes(weights);
            File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
            var e = Assert.Throws<InvalidDataException>(() => RunDirectory.LoadModel(dir));
            Assert.Contains("model.safetensors", e.Message);
            Assert.Contains("truncated", e.Message);

            File.WriteAllBytes(weights, bytes);
            var opt = Path.Combine(dir, "last", "optimizer.safetensors");
            var ob = File.ReadAllBytes(opt);
            ob[^1] ^= 0x55;
            File.WriteAllBytes(opt, ob);
            var e2 = Assert.Throws<InvalidDataException>(() => TrainingRun.Start(Tiny(dir, 6), true, new RecordingObserver()));
            Assert.Contains("optimizer.safetensors", e2.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
