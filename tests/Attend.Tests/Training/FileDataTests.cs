using System.IO.Compression;
using System.Text;
using Attend.Config;
using Attend.Runs;
using Attend.Text;
using Attend.Training;

namespace Attend.Tests.Training;

/// <summary>The data keys of real corpora: data.dir with .gz twins, joint BPE learned per run, and seeded TSV splits.</summary>
public class FileDataTests
{
    private static readonly string[] De =
    [
        "Ein Mann fährt Fahrrad.", "Zwei Hunde spielen im Schnee.", "Eine Frau liest ein Buch.", "Ein Kind spielt Fußball.",
        "Ein Mann spielt Gitarre.", "Zwei Frauen gehen spazieren.", "Ein Hund rennt im Gras.", "Eine Gruppe von Männern arbeitet.",
    ];
    private static readonly string[] En =
    [
        "A man rides a bicycle.", "Two dogs play in the snow.", "A woman reads a book.", "A child plays soccer.",
        "A man plays guitar.", "Two women go for a walk.", "A dog runs in the grass.", "A group of men is working.",
    ];

    private static void WriteGz(string path, IEnumerable<string> lines)
    {
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gz.Write(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))));
    }

    private static RunConfig FilesConfig(string dataDir, string runDir, int merges, long steps) => ConfigLoader.Load($"""
        name: t
        seed: 3
        data:
          source: files
          dir: {dataDir}
          train: train
          dev: val
          src: de
          trg: en
          bpe_merges: {merges}
        model:
          embedding_size: 8
          hidden_size: 8
        training:
          batch_size: 4
          max_steps: {steps}
          validate_every: 2
          print_samples: 0
          run_dir: {runDir}
        testing:
          beam_size: 1
        """);

    [Fact]
    public void Bpe_is_learned_on_the_training_files_saved_with_every_checkpoint_and_used_when_the_run_is_loaded()
    {
        var dir = RepoPaths.TempDir("bpe-run");
        try
        {
            var data = Path.Combine(dir, "data");
            Directory.CreateDirectory(data);
            WriteGz(Path.Combine(data, "train.de.gz"), De); // only the .gz twin exists: it is read
            WriteGz(Path.Combine(data, "train.en.gz"), En);
            File.WriteAllLines(Path.Combine(data, "val.de"), De[..3]);
            File.WriteAllLines(Path.Combine(data, "val.en"), En[..3]);
            var run = Path.Combine(dir, "run");
            var config = FilesConfig(data, run, merges: 30, steps: 4);
            var loaded = TrainingData.Load(config);
            Assert.Equal(8, loaded.Train.Count);
            Assert.Equal(3, loaded.Dev.Count);
            Assert.Equal(30, loaded.Text.Bpe!.Merges.Count);
            // 30 merges are too few for every word: some come out as pieces, and the pieces are in the vocabulary.
            Assert.Contains(loaded.SourceVocab.Tokens, t => t.EndsWith("@@"));
            var toks = loaded.Text.Tokenize("Ein Mann spielt im Schnee.");
            Assert.Contains(toks, t => t.EndsWith("@@"));
            Assert.Equal("Ein Mann spielt im Schnee.", loaded.Text.Detokenize(toks));

            TrainingRun.Start(config, false, new RecordingObserver()).Run();
            foreach (var step in RunDirectory.StepDirs(run))
                Assert.Equal(File.ReadAllText(Path.Combine(step, TextSide.CodesFile)), File.ReadAllText(Path.Combine(run, "best", TextSide.CodesFile)));
            var model = RunDirectory.LoadModel(run);
            Assert.Equal(toks, model.Text.Tokenize("Ein Mann spielt im Schnee."));
            // Resuming reads the codes of last/, so the ids cannot shift.
            var resumed = TrainingRun.Start(config with { Training = config.Training with { MaxSteps = 6 } }, true, new RecordingObserver()).Run();
            Assert.Equal(6, resumed.Steps);

            File.Delete(Path.Combine(run, "best", TextSide.CodesFile));
            var e = Assert.Throws<InvalidDataException>(() => RunDirectory.LoadModel(run));
            Assert.Contains("data.bpe_merges is 30 but bpe.codes is missing", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Without_bpe_merges_tokens_are_words_and_checkpoints_have_no_codes()
    {
        var dir = RepoPaths.TempDir("nobpe-run");
        try
        {
            File.WriteAllLines(Path.Combine(dir, "train.de"), De);
            File.WriteAllLines(Path.Combine(dir, "train.en"), En);
            File.WriteAllLines(Path.Combine(dir, "val.de"), De[..2]);
            File.WriteAllLines(Path.Combine(dir, "val.en"), En[..2]);
            var run = Path.Combine(dir, "run");
            var config = FilesConfig(dir, run, merges: 0, steps: 2);
            var data = TrainingData.Load(config);
            Assert.Null(data.Text.Bpe);
            Assert.DoesNotContain(data.SourceVocab.Tokens, t => t.EndsWith("@@"));
            TrainingRun.Start(config, false, new RecordingObserver()).Run();
            Assert.Equal(De[..2], File.ReadAllLines(Path.Combine(run, "dev.src")));
            Assert.Empty(File.ReadAllLines(Path.Combine(run, "test.src")));
            Assert.False(File.Exists(Path.Combine(run, "best", TextSide.CodesFile)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Cli_perplexity_of_the_dev_files_equals_the_validation_loss_of_the_best_checkpoint()
    {
        var dir = RepoPaths.TempDir("ppl");
        try
        {
            File.WriteAllLines(Path.Combine(dir, "train.de"), De);
            File.WriteAllLines(Path.Combine(dir, "train.en"), En);
            File.WriteAllLines(Path.Combine(dir, "val.de"), De[2..6]);
            File.WriteAllLines(Path.Combine(dir, "val.en"), En[2..6]);
            var run = Path.Combine(dir, "run");
            var result = TrainingRun.Start(FilesConfig(dir, run, merges: 20, steps: 4), false, new RecordingObserver()).Run();
            using var p = new Attend.Tests.Cli.CliProcess("perplexity", "--model", run, "--source", Path.Combine(dir, "val.de"), "--target", Path.Combine(dir, "val.en"), "--json");
            p.CloseInput();
            Assert.Equal(0, p.Wait(TimeSpan.FromSeconds(60)));
            using var doc = System.Text.Json.JsonDocument.Parse(p.Stdout);
            Assert.Equal(result.Best!.Loss, doc.RootElement.GetProperty("loss").GetDouble(), 1e-9);
            Assert.Equal(4, doc.RootElement.GetProperty("sentences").GetInt32());
            Assert.Equal(RunDirectory.LoadModel(run).Model.ParameterCount(), doc.RootElement.GetProperty("params").GetInt64());
        }
        finally { Directory.Delete(dir, true); }
    }

    private static RunConfig TsvConfig(string dir, string extra = "") => ConfigLoader.Load($"""
        data:
          source: tsv
          dir: {dir}
          tsv: pairs.tsv
          tsv_src_column: 1
          tsv_trg_column: 0
          dev_fraction: 0.2
          test_fraction: 0.2
        {extra}
        """);

    [Fact]
    public void Tsv_is_split_by_source_with_its_own_seed_and_filtered_by_length()
    {
        var dir = RepoPaths.TempDir("tsv");
        try
        {
            // 40 English sentences with two French translations each, and one long pair.
            var lines = Enumerable.Range(0, 40).SelectMany(i => new[] { $"I see {i} cats.\tJe vois {i} chats.", $"I see {i} cats.\tJe vois {i} chattes." })
                .Append("This sentence is far too long to be kept by the filter at all.\tCette phrase est bien trop longue pour être gardée par le filtre.").ToList();
            File.WriteAllLines(Path.Combine(dir, "pairs.tsv"), lines);
            var a = TrainingData.Load(TsvConfig(dir));
            Assert.Equal(81, a.Train.Count + a.Dev.Count + a.Test.Count);
            var rawTrain = TrainingData.Sources(TsvConfig(dir)).Splits[0].Read(new CorpusReport()).ToList();
            Assert.StartsWith("Je vois", rawTrain[0].Source); // French is the source (column 1)
            // The English (target) side groups the pairs: no dev/test sentence, on either side, occurs in training.
            var trainTargets = rawTrain.Select(e => e.Target).ToHashSet();
            var trainSources = rawTrain.Select(e => e.Source).ToHashSet();
            Assert.DoesNotContain(a.Dev.Concat(a.Test), e => trainTargets.Contains(e.TargetText) || trainSources.Contains(e.SourceText));
            Assert.Equal(16, a.Dev.Count); // 8 of 41 source groups × 2 translations (the long pair's group is unique)

            // Another run seed gives the same split; another split seed a different one.
            var sameSplit = TrainingData.Load(TsvConfig(dir) with { Seed = 99 });
            Assert.Equal(a.Test.Select(e => e.SourceText), sameSplit.Test.Select(e => e.SourceText));
            var otherSplit = TrainingData.Load(TsvConfig(dir, "  split_seed: 2"));
            Assert.NotEqual(a.Test.Select(e => e.SourceText), otherSplit.Test.Select(e => e.SourceText));

            // A run writes its held-out splits as text, so they can be translated and scored later.
            var run = Path.Combine(dir, "run");
            TrainingRun.WriteHeldOut(run, a);
            Assert.Equal(a.Test.Select(e => e.SourceText), File.ReadAllLines(Path.Combine(run, "test.src")));
            Assert.Equal(a.Test.Select(e => e.TargetText), File.ReadAllLines(Path.Combine(run, "test.trg")));
            Assert.Equal(a.Dev.Count, File.ReadAllLines(Path.Combine(run, "dev.trg")).Length);

            var filtered = TrainingData.Load(TsvConfig(dir, "  tsv_max_length: 8"));
            Assert.Equal(80, filtered.Train.Count + filtered.Dev.Count + filtered.Test.Count);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Tsv_needs_a_file_and_fractions_below_one()
    {
        Assert.Equal("data.tsv: required when data.source is tsv",
            Assert.Throws<ConfigException>(() => TrainingData.Load(ConfigLoader.Load("data:\n  source: tsv\n"))).Message);
        Assert.Contains("data.dev_fraction + data.test_fraction: must be below 1",
            Assert.Throws<ConfigException>(() => TrainingData.Load(ConfigLoader.Load("data:\n  source: tsv\n  tsv: x\n  dev_fraction: 0.5\n  test_fraction: 0.5\n"))).Message);
    }

    [Fact]
    public void The_multi30k_config_reads_the_corpus_with_joint_bpe()
    {
        var config = ConfigLoader.LoadFile(Path.Combine(RepoPaths.Root, "configs", "multi30k-de-en", "bahdanau.yaml"));
        config = config with { Data = config.Data with { Dir = Attend.Testing.Fixtures.Dir("data", "multi30k") } };
        var data = TrainingData.Load(config);
        Assert.Equal((29000, 1014, 1000), (data.Train.Count, data.Dev.Count, data.Test.Count));
        Assert.Equal(config.Data.BpeMerges, data.Text.Bpe!.Merges.Count);
        Assert.Equal("Ein Mann mit einem orangefarbenen Hut, der etwas anstarrt.", data.Test[0].SourceText);
        Assert.Equal("Ein Mann mit einem orangefarbenen Hut, der etwas anstarrt.", data.Text.Detokenize(data.Text.Tokenize(data.Test[0].SourceText)));
    }
}
