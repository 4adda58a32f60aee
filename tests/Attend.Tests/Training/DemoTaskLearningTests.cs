using Attend.Attention;
using Attend.Data;
using Attend.Demo;
using Attend.Runs;
using Attend.Training;
using Xunit.Abstractions;

namespace Attend.Tests.Training;

[Trait("Category", "Slow")]
public class DemoTaskLearningTests(ITestOutputHelper log)
{
    /// <summary>
    /// The demo's attention model on the demo's task (lists of 1–3 dates), on a reduced budget (600 updates
    /// instead of a minute), gets ≥ 95% of held-out examples exactly right; the held-out sources never occur in training.
    /// </summary>
    [Fact]
    public void The_attention_model_learns_the_dates_task()
    {
        var dir = RepoPaths.TempDir("demo");
        try
        {
            var options = new DemoOptions(dir, Seconds: 0, TestSize: 300, MaxSteps: 600);
            var config = options.Config(AttentionKind.Bahdanau);
            var result = TrainingRun.Start(config, false, new RecordingObserver()).Run();
            Assert.Equal(StopReason.MaxSteps, result.Reason);
            var model = RunDirectory.LoadModel(result.RunDir);
            var data = TrainingData.Open(config, TrainingRun.PreparedDir(result.RunDir), (model.SourceVocab, model.TargetVocab));
            var train = TrainingData.Sources(config).Splits[0].Read(new Attend.Text.CorpusReport()).Select(p => p.Source).ToHashSet();
            Assert.DoesNotContain(data.Test, e => train.Contains(e.SourceText));
            var hyps = Validator.Translate(model.Model, data, data.Test);
            double exact = (double)hyps.Where((h, i) => h == data.Test[i].TargetText).Count() / hyps.Count;
            log.WriteLine($"exact match {exact:P1} on {hyps.Count} held-out examples after {result.Steps} steps");
            Assert.True(exact >= 0.95, $"exact match {exact:P1} on {hyps.Count} held-out dates");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
