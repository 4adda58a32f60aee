using System.Text.Json;
using Attend.Config;
using Attend.Runs;
using Attend.Training;

namespace Attend.Tests.Training;

/// <summary>
/// A run never silently does something else than it says: a resumed run applies or refuses changed settings and
/// records what runs, its metrics hold one line per step, a missing or damaged best checkpoint is an error, an empty
/// dev set is an error, and an absurd model size is refused naming its key before anything is allocated.
/// </summary>
public sealed class RunChecksTests : IDisposable
{
    private readonly string _dir = RepoPaths.TempDir("checks");

    public void Dispose() => Directory.Delete(_dir, true);

    private string Train(long steps, string name = "run")
    {
        var run = Path.Combine(_dir, name);
        TrainingRun.Start(TrainerTests.Tiny(run, steps), false, new RecordingObserver()).Run();
        return run;
    }

    [Fact]
    public void Resume_refuses_a_changed_learning_rate_and_applies_a_changed_step_budget()
    {
        var run = Train(7);
        string before = File.ReadAllText(Path.Combine(run, "config.yaml"));
        var changed = ConfigLoader.ApplyOverride(TrainerTests.Tiny(run, 7), "training.lr=0.5");
        var e = Assert.Throws<ConfigException>(() => TrainingRun.Start(changed, resume: true, new RecordingObserver()));
        Assert.Contains("training.lr is 0.01 in ", e.Message);
        Assert.Contains("but 0.5 now", e.Message);
        Assert.Equal(before, File.ReadAllText(Path.Combine(run, "config.yaml")));

        changed = ConfigLoader.ApplyOverride(ConfigLoader.ApplyOverride(TrainerTests.Tiny(run, 7), "model.hidden_size=32"), "seed=9");
        e = Assert.Throws<ConfigException>(() => TrainingRun.Start(changed, resume: true, new RecordingObserver()));
        Assert.Contains("model.hidden_size is 16", e.Message);
        Assert.Contains("seed is 3", e.Message);

        // A longer budget is applied, and the run's config and new checkpoint record it.
        var r = TrainingRun.Start(TrainerTests.Tiny(run, 9), resume: true, new RecordingObserver()).Run();
        Assert.Equal(9, r.Steps);
        Assert.Equal(9, ConfigLoader.LoadFile(Path.Combine(run, "config.yaml")).Training.MaxSteps);
        Assert.Equal(9, ConfigLoader.LoadFile(Path.Combine(run, "last", "config.yaml")).Training.MaxSteps);
    }

    [Fact]
    public void Resume_drops_metrics_past_the_checkpoint_so_each_step_is_logged_once()
    {
        var run = Path.Combine(_dir, "run");
        RunConfig Config(long steps) => ConfigLoader.ApplyOverride(TrainerTests.Tiny(run, steps), "training.log_every=1");
        TrainingRun.Start(Config(7), false, new RecordingObserver()).Run(); // validates and saves at step 7
        var log = Path.Combine(run, MetricsLog.FileName);
        // What a SIGKILL after step 7's checkpoint leaves: lines for steps the checkpoint does not hold, a torn line.
        File.AppendAllText(log, "{\"kind\":\"train\",\"epoch\":2,\"step\":8,\"loss\":1}\n{\"kind\":\"train\",\"epoch\":2,\"step\":9,\"loss\":1}\n{\"kind\":\"tr");
        TrainingRun.Start(Config(10), resume: true, new RecordingObserver()).Run();
        var records = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(r => (Kind: r.GetProperty("kind").GetString(), Step: r.GetProperty("step").GetInt64())).ToList();
        Assert.Equal(records.Distinct().Count(), records.Count);
        Assert.Contains(("train", 8L), records);
        Assert.Equal([7L, 10L], records.Where(r => r.Kind == "valid").Select(r => r.Step));
    }

    [Fact]
    public void A_missing_or_damaged_best_is_an_error_naming_last_not_a_silent_last()
    {
        var run = Train(3);
        Assert.EndsWith("best", RunDirectory.Resolve(run));
        var best = Path.Combine(run, RunDirectory.Best);
        File.Delete(best);
        File.CreateSymbolicLink(best, "step-9999999");
        var e = Assert.Throws<InvalidDataException>(() => RunDirectory.LoadModel(run));
        Assert.Contains($"{best}: damaged link (points at step-9999999", e.Message);
        Assert.Contains($"give {Path.Combine(run, RunDirectory.Last)}", e.Message);

        File.Delete(best);
        e = Assert.Throws<InvalidDataException>(() => RunDirectory.LoadModel(run));
        Assert.Contains("no best checkpoint", e.Message);
        Assert.NotNull(RunDirectory.LoadModel(Path.Combine(run, RunDirectory.Last)));
    }

    [Fact]
    public void An_empty_dev_set_is_an_error_naming_the_file()
    {
        File.WriteAllText(Path.Combine(_dir, "train.src"), "a b\nc d\n");
        File.WriteAllText(Path.Combine(_dir, "train.trg"), "x y\nz w\n");
        File.WriteAllText(Path.Combine(_dir, "dev.src"), "\n \n");
        File.WriteAllText(Path.Combine(_dir, "dev.trg"), "x\ny\n");
        var config = ConfigLoader.Load($"""
            data:
              source: files
              dir: {_dir}
              train: train
              dev: dev
              tokenizer: whitespace
            training:
              run_dir: {Path.Combine(_dir, "run")}
            """);
        var e = Assert.Throws<ConfigException>(() => TrainingData.Load(config));
        Assert.Contains(Path.Combine(_dir, "dev.src"), e.Message);
        Assert.Contains("data.dev", e.Message);
    }

    [Fact]
    public void An_absurd_model_size_is_refused_naming_its_key()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyOverride(TrainerTests.Tiny(_dir, 1), "model.hidden_size=2000000000"));
        Assert.Contains("model.hidden_size: expected a number in [1, 16384]", e.Message);

        var big = ConfigLoader.ApplyOverride(ConfigLoader.ApplyOverride(TrainerTests.Tiny(_dir, 1), "model.hidden_size=16384"),
            "model.embedding_size=16384");
        e = Assert.Throws<ConfigException>(() => big.ModelFor(100_000, 100_000));
        Assert.Contains("more than model.max_parameters = 1,000,000,000", e.Message);
        Assert.Contains("model.hidden_size 16384", e.Message);

        // Within the budget (raised here) the same config is accepted, without allocating anything.
        var raised = ConfigLoader.ApplyOverride(big, "model.max_parameters=100000000000");
        Assert.Equal(16384, raised.ModelFor(100_000, 100_000).HiddenSize);
    }
}
