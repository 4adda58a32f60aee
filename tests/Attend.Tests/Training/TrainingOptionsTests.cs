using System.Text.Json;
using Attend.Config;
using Attend.Runs;
using Attend.Tensors;
using Attend.Training;

namespace Attend.Tests.Training;

/// <summary>The optimizer and schedule choices of <c>training:</c> (SGD, plateau, inverse_sqrt) and early stopping on BLEU or loss.</summary>
public class TrainingOptionsTests
{
    private static TrainingConfig Training(string yaml) => ConfigLoader.Load("training:\n" + yaml).Training;

    [Fact]
    public void Inverse_sqrt_warms_up_linearly_then_falls_as_one_over_the_root_of_the_step()
    {
        var s = new LrScheduler(Training("  lr: 0.01\n  schedule: inverse_sqrt\n  warmup_steps: 100\n  min_lr: 0.00001\n"));
        Assert.Equal(0.01 * 1 / 100, s.RateForStep(1), 12);
        Assert.Equal(0.01 * 50 / 100, s.RateForStep(50), 12);
        Assert.Equal(0.01, s.RateForStep(100), 12);
        Assert.Equal(0.005, s.RateForStep(400), 12);    // √(100/400) = 1/2
        Assert.Equal(0.0025, s.RateForStep(1600), 12);
        Assert.Equal(0.00001, s.RateForStep(1_000_000_000), 12); // floored at min_lr
        Assert.False(s.OnValidation(1));                // validations do not touch it
    }

    [Fact]
    public void Plateau_multiplies_the_rate_after_patience_validations_without_improvement()
    {
        var s = new LrScheduler(Training("  lr: 0.1\n  schedule: plateau\n  plateau_patience: 2\n  plateau_factor: 0.5\n  min_lr: 0.03\n"));
        Assert.Equal(0.1, s.RateForStep(1));
        Assert.False(s.OnValidation(10));   // first: best
        Assert.False(s.OnValidation(9));    // 1 bad
        Assert.False(s.OnValidation(11));   // improvement resets the count
        Assert.False(s.OnValidation(11));   // equal is not an improvement: 1 bad
        Assert.True(s.OnValidation(5));     // 2 bad: halved
        Assert.Equal(0.05, s.RateForStep(1000), 12);
        Assert.False(s.OnValidation(4));
        Assert.True(s.OnValidation(4));
        Assert.Equal(0.03, s.State.Rate, 12); // 0.025 floored at min_lr
    }

    [Fact]
    public void Sgd_takes_plain_and_momentum_steps_as_pytorch_does()
    {
        var p = Tensor.FromArray([1f, -2f], 2);
        p.RequiresGrad = true;
        var plain = new Sgd([("w", p)], lr: 0.1, momentum: 0);
        p.Grad[0] = 0.5f; p.Grad[1] = -1f;
        plain.Step();
        Assert.Equal([1f - 0.05f, -2f + 0.1f], p.Data.ToArray());
        Assert.Empty(plain.State());

        var q = Tensor.FromArray([1f], 1);
        q.RequiresGrad = true;
        var mom = new Sgd([("w", q)], lr: 0.1, momentum: 0.9);
        q.Grad[0] = 1f;
        mom.Step();                          // b = g = 1; w = 1 - 0.1
        q.Grad[0] = 2f;
        mom.Step();                          // b = 0.9 + 2 = 2.9; w = 0.9 - 0.29
        Assert.Equal(0.9f - 0.1f * (0.9f * 1f + 2f), q.Data[0], 6);
        var (name, buf) = Assert.Single(mom.State());
        Assert.Equal("momentum_buffer.w", name);
        Assert.Equal(2.9f, buf[0], 6);
    }

    /// <summary><see cref="TrainerTests.Tiny"/> (12 steps in <paramref name="dir"/>) with more overrides.</summary>
    private static RunConfig Config(string dir, params string[] overrides) =>
        ConfigLoader.Load(ConfigLoader.ToYaml(TrainerTests.Tiny(dir, 12)), "tiny", overrides);

    /// <summary>The validation index at which a run with this patience must stop (higher scores are better), or -1.</summary>
    private static int ExpectedStop(IReadOnlyList<double> scores, int patience)
    {
        double best = double.NaN;
        int bad = 0;
        for (int i = 0; i < scores.Count; i++)
        {
            if (double.IsNaN(best) || scores[i] > best) (best, bad) = (scores[i], 0);
            else if (++bad >= patience) return i;
        }
        return -1;
    }

    /// <summary>
    /// The same 12-step run stopping on BLEU (patience 1) and on loss (patience 2): each stops exactly where
    /// its own metric's record says (a validation that does not beat the best counts against the patience)
    /// and keeps as best the validation with the best value of that metric. On this tiny run BLEU stalls
    /// early while the loss keeps falling, so the two runs end differently.
    /// </summary>
    [Fact]
    public void Early_stopping_follows_the_configured_metric()
    {
        var root = RepoPaths.TempDir("early");
        try
        {
            var stops = new Dictionary<string, StopReason>();
            foreach (var (metric, patience) in new[] { ("bleu", 1), ("loss", 2) })
            {
                var dir = Path.Combine(root, metric);
                var obs = new RecordingObserver();
                var r = TrainingRun.Start(Config(dir, "training.validate_every=1", $"training.patience={patience}",
                    $"training.early_stopping_metric={metric}", $"training.run_dir={dir}"), false, obs).Run();
                var scores = obs.Validations.Select(v => metric == "bleu" ? v.Bleu : -v.Loss).ToList();
                int stop = ExpectedStop(scores, patience);
                if (stop >= 0)
                {
                    Assert.Equal(StopReason.EarlyStopping, r.Reason);
                    Assert.Equal(stop + 1, obs.Validations.Count);
                    Assert.Equal(obs.Validations[stop].Step, r.Steps);
                }
                else Assert.Equal(StopReason.MaxSteps, r.Reason);
                int bestAt = scores.IndexOf(scores.Max());
                Assert.Equal(obs.Validations[bestAt].Step, r.Best!.Step);
                Assert.Equal(r.Best.Step, StepOf(Path.Combine(dir, RunDirectory.Best)));
                stops[metric] = r.Reason;
            }
            Assert.Equal(StopReason.EarlyStopping, stops["bleu"]);
            Assert.Equal(StopReason.MaxSteps, stops["loss"]);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    private static long StepOf(string checkpointDir) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(checkpointDir, "trainer.json"))).RootElement.GetProperty("Step").GetInt64();

    /// <summary>
    /// SGD with momentum and the plateau schedule (which fires here: BLEU stays 0) also resume bit-exactly:
    /// momentum buffers, the lowered rate and the plateau counter are in the checkpoint.
    /// </summary>
    [Fact]
    public void Sgd_with_momentum_and_plateau_resume_bit_exactly()
    {
        var root = RepoPaths.TempDir("sgdresume");
        try
        {
            RunConfig Cfg(string dir, long steps) => Config(dir, "training.optimizer=sgd", "training.lr=0.5", "training.momentum=0.9",
                "training.schedule=plateau", "training.plateau_patience=1", "training.early_stopping_metric=bleu", "training.patience=0",
                "training.validate_every=3", $"training.max_steps={steps}", $"training.run_dir={dir}");
            string straight = Path.Combine(root, "straight"), split = Path.Combine(root, "split");
            var obs = new RecordingObserver();
            TrainingRun.Start(Cfg(straight, 12), false, obs).Run();
            Assert.Contains(obs.Notes, n => n.StartsWith("learning rate lowered"));
            TrainingRun.Start(Cfg(split, 6), false, new RecordingObserver()).Run();
            TrainingRun.Start(Cfg(split, 12), true, new RecordingObserver()).Run();
            foreach (var file in new[] { "model.safetensors", "optimizer.safetensors", "trainer.json" })
            {
                var a = File.ReadAllText(Path.Combine(straight, "last", file));
                var b = File.ReadAllText(Path.Combine(split, "last", file));
                if (file == "trainer.json")
                {
                    // Everything but the wall-clock time must agree.
                    static string Strip(string json) => string.Join('\n', json.Split('\n').Where(l => !l.Contains("\"ElapsedSeconds\"")));
                    Assert.Equal(Strip(a), Strip(b));
                }
                else Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "last", file)), File.ReadAllBytes(Path.Combine(split, "last", file)));
            }
            var lr = JsonDocument.Parse(File.ReadAllText(Path.Combine(straight, "last", "trainer.json"))).RootElement.GetProperty("LearningRate").GetDouble();
            Assert.True(lr < 0.5, $"the plateau schedule never lowered the rate ({lr})");
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    /// <summary>Every line of metrics.jsonl is one JSON object with the documented fields of its kind.</summary>
    [Fact]
    public void Metrics_log_is_one_json_object_per_line_with_train_and_valid_records()
    {
        var dir = RepoPaths.TempDir("jsonl");
        try
        {
            TrainingRun.Start(Config(dir, "training.log_every=2", "training.validate_every=5", $"training.run_dir={dir}"), false, new RecordingObserver()).Run();
            var lines = File.ReadAllLines(Path.Combine(dir, MetricsLog.FileName));
            var kinds = new List<string>();
            foreach (var line in lines)
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                string kind = r.GetProperty("kind").GetString()!;
                kinds.Add(kind + r.GetProperty("step").GetInt64());
                string[] fields = kind == "train"
                    ? ["epoch", "step", "loss", "lr", "tgt_tokens_per_s", "elapsed_s", "ranks"]
                    : ["step", "loss", "ppl", "bleu", "exact_match", "best", "ranks"];
                Assert.Equal(["kind", .. fields], r.EnumerateObject().Select(p => p.Name));
                Assert.True(r.GetProperty("loss").GetDouble() > 0);
                Assert.Equal(1, r.GetProperty("ranks").GetInt32());
            }
            // Step 1 and every 2nd step are logged; validations at 5, 10 and the end (12).
            Assert.Equal(["train1", "train2", "train4", "valid5", "train6", "train8", "train10", "valid10", "train12", "valid12"], kinds);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

public class LabelSmoothingTrainingTests
{
    /// <summary>
    /// The loss the trainer logs for its first update is PyTorch's label-smoothed cross-entropy of the first
    /// batch under the freshly initialised model, (1 − ε)·NLL + ε·mean over the vocabulary of −log p, averaged
    /// over real target tokens; with ε = 0 it is the plain NLL. Recomputed here from the model's logits.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.2)]
    public void The_logged_first_loss_is_the_smoothed_cross_entropy_of_the_first_batch(double eps)
    {
        var dir = RepoPaths.TempDir("smooth");
        try
        {
            var config = ConfigLoader.Load(ConfigLoader.ToYaml(TrainerTests.Tiny(dir, 1)), "tiny",
                [$"training.label_smoothing={eps.ToString(System.Globalization.CultureInfo.InvariantCulture)}", "model.dropout=0", "training.teacher_forcing=1"]);
            TrainingRun.Start(config, false, new RecordingObserver()).Run();
            using var first = JsonDocument.Parse(File.ReadLines(Path.Combine(dir, MetricsLog.FileName)).First());
            double logged = first.RootElement.GetProperty("loss").GetDouble();

            var data = TrainingData.Load(config);
            var model = Attend.Model.Seq2Seq.Create(config.ModelFor(data.SourceVocab.Count, data.TargetVocab.Count), new Rng(config.Seed).NextUInt64());
            using var shard = data.Train.Open(0);
            var order = new Attend.Corpus.BatchPlan(config.Seed, config.Training.BatchSize, BatchType.Sentences)
                .ShardBatches(0, shard.Count, 0, shard.SourceLength, shard.TargetLength);
            var pairs = order[0].Select(shard.Pair).ToList();
            var batch = Attend.Model.Seq2SeqBatch.FromPairs(pairs.Select(p => p.Source).ToList(), pairs.Select(p => p.Target).ToList(),
                model.Config.PadId, model.Config.BosId, model.Config.EosId);
            using var off = GradMode.Off();
            var logits = model.Forward(batch).Logits.Data.ToArray();
            int v = model.Config.TargetVocab;
            double sum = 0, nll = 0;
            int n = 0;
            for (int i = 0; i < batch.TargetOut.Length; i++)
            {
                if (batch.TargetOut[i] == model.Config.PadId) continue;
                var row = logits.AsSpan(i * v, v);
                double uniform = 0;
                for (int w = 0; w < v; w++) uniform -= Attend.Decoding.Translator.LogSoftmaxAt(row, w);
                double gold = -Attend.Decoding.Translator.LogSoftmaxAt(row, batch.TargetOut[i]);
                sum += (1 - eps) * gold + eps * uniform / v;
                nll += gold;
                n++;
            }
            Assert.Equal(sum / n, logged, 4);
            // The check can tell smoothing from none: the two losses differ well beyond the tolerance.
            if (eps > 0) Assert.True(Math.Abs(sum - nll) / n > 1e-3, $"smoothed {sum / n} vs plain {nll / n}: too close to tell");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
