using Attend.Config;
using Attend.Corpus;
using Attend.Training;

namespace Attend.Tests.Training;

public class PreparedRunTests
{
    private static RunConfig Tiny(string run, long steps, params string[] extra) =>
        ConfigLoader.Load(ConfigLoader.ToYaml(TrainerTests.Tiny(run, steps)), "tiny", extra);

    [Fact]
    public void A_run_trains_from_a_folder_attend_prepare_wrote_and_refuses_one_tokenized_otherwise()
    {
        var root = RepoPaths.TempDir("prepared-run");
        try
        {
            string prepared = Path.Combine(root, "prepared"), a = Path.Combine(root, "a"), b = Path.Combine(root, "b");
            var config = Tiny(a, 4);
            Preparer.Run(config.Data, TrainingData.Sources(config), prepared);
            // The same steps from the run's own preparation and from the shared folder: the same bits.
            TrainingRun.Start(config, false, new RecordingObserver()).Run();
            TrainingRun.Start(Tiny(b, 4, "data.source=prepared", $"data.prepared={prepared}"), false, new RecordingObserver()).Run();
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, "last", "model.safetensors")), File.ReadAllBytes(Path.Combine(b, "last", "model.safetensors")));
            Assert.False(Directory.Exists(TrainingRun.PreparedDir(b)));

            var e = Assert.Throws<ConfigException>(() => TrainingRun.Start(
                Tiny(Path.Combine(root, "c"), 4, "data.source=prepared", $"data.prepared={prepared}", "data.tokenizer=word"), false, new RecordingObserver()));
            Assert.Contains("data.tokenizer", e.Message);
            Assert.Contains(prepared, e.Message);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Resuming_over_a_corpus_prepared_with_other_vocabularies_is_an_error_naming_the_folder()
    {
        var root = RepoPaths.TempDir("prepared-resume");
        try
        {
            string run = Path.Combine(root, "run"), other = Path.Combine(root, "other");
            TrainingRun.Start(Tiny(run, 3), false, new RecordingObserver()).Run();
            // Another corpus (other demo pairs, so other token frequencies) in the run's data folder.
            var otherConfig = Tiny(run, 3, "data.demo_train_size=40");
            Preparer.Run(otherConfig.Data, TrainingData.Sources(otherConfig with { Seed = 99 }), other);
            Directory.Delete(TrainingRun.PreparedDir(run), recursive: true);
            Directory.Move(other, TrainingRun.PreparedDir(run));
            var e = Assert.Throws<InvalidDataException>(() => TrainingRun.Start(Tiny(run, 6), true, new RecordingObserver()));
            Assert.Contains(TrainingRun.PreparedDir(run), e.Message);
            Assert.Contains("vocabularies", e.Message);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
