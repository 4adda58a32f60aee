// TranslationModel.Train: a program trains the debug config without the CLI, then loads and uses the run.
using Attend.Config;
using Attend.Runs;
using Attend.Tests.Training;
using Attend.Training;

namespace Attend.Tests.FrontDoor;

public class TrainTests
{
    /// <summary>Collects reports synchronously on the training thread (Progress&lt;T&gt; would post them elsewhere).</summary>
    private sealed class Recorder : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];
        public void Report(TrainingProgress value) => Reports.Add(value);
    }

    private static string[] Overrides(string runDir, long steps) =>
        [$"training.run_dir={runDir}", $"training.max_steps={steps}", "training.validate_every=6", "training.log_every=2",
         "training.print_samples=0"];

    [Fact]
    public void Train_the_debug_config_then_load_and_translate()
    {
        var root = RepoPaths.TempDir("frontdoor-train");
        try
        {
            var run = Path.Combine(root, "run");
            var recorder = new Recorder();
            var outcome = TranslationModel.Train(Path.Combine(RepoPaths.Root, "configs", "debug.yaml"), Overrides(run, 12), recorder);
            Assert.Equal(Path.GetFullPath(run), outcome.RunDirectory);
            Assert.Equal(StopReason.MaxSteps, outcome.Reason);
            Assert.Equal(12, outcome.Steps);
            Assert.NotNull(outcome.Best);

            var updates = recorder.Reports.Where(r => r.Kind == TrainingProgressKind.Update).ToList();
            Assert.Equal([1L, 2, 4, 6, 8, 10, 12], updates.Select(r => r.Step));
            Assert.All(updates, r => Assert.True(r.Loss > 0 && r.LearningRate > 0 && r.Fraction is > 0 and <= 1));
            var validations = recorder.Reports.Where(r => r.Kind == TrainingProgressKind.Validation).ToList();
            Assert.Equal([6L, 12], validations.Select(r => r.Validation!.Step));
            Assert.Equal(12, validations[^1].Step);
            Assert.Contains(recorder.Reports, r => r.Kind == TrainingProgressKind.Note && r.Note!.Contains("training pairs"));

            using var model = TranslationModel.Load(outcome.RunDirectory);
            var t = model.Translate("3/5/79");
            Assert.Equal(t.TargetTokens.Count, t.Attention!.Length);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void A_cancelled_run_stops_with_a_last_checkpoint_and_resumes()
    {
        var root = RepoPaths.TempDir("frontdoor-cancel");
        try
        {
            var run = Path.Combine(root, "run");
            var config = ConfigLoader.LoadFile(Path.Combine(RepoPaths.Root, "configs", "debug.yaml"), Overrides(run, 8));
            using var cts = new CancellationTokenSource();
            // Cancelled at the third update report (step 4): the step under way finishes, last is written.
            var cancelling = new CancelAt(cts, 4);
            var stopped = TranslationModel.Train(config, cancelling, cts.Token);
            Assert.Equal(StopReason.Interrupted, stopped.Reason);
            Assert.Equal(4, stopped.Steps);
            using (var early = TranslationModel.Load(run)) Assert.NotNull(early.Translate("3/5/79").Text);

            var resumed = TranslationModel.ResumeTraining(config);
            Assert.Equal(StopReason.MaxSteps, resumed.Reason);
            Assert.Equal(8, resumed.Steps);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    /// <summary>Cancels the token when an update report reaches the given step.</summary>
    private sealed class CancelAt(CancellationTokenSource cts, long step) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Kind == TrainingProgressKind.Update && value.Step >= step) cts.Cancel();
        }
    }
}
