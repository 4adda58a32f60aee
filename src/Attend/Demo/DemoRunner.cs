using Attend.Attention;
using Attend.Config;
using Attend.Data;
using Attend.Decoding;
using Attend.Plots;
using Attend.Runs;
using Attend.Training;

namespace Attend.Demo;

/// <summary>How big the demo is: per-model training time, data sizes and model size (tests use a smaller one).</summary>
internal sealed record DemoOptions(string OutDir, double Seconds = 60, int TrainSize = 20000, int TestSize = 1000,
    int EmbeddingSize = 32, int HiddenSize = 64, int BatchSize = 64, double Lr = 0.005, ulong Seed = 1, long MaxSteps = 0, int MaxDates = 3)
{
    /// <summary>The run config of one of the demo's two models.</summary>
    public RunConfig Config(AttentionKind kind)
    {
        string name = ConfigLoader.SnakeCase(kind.ToString());
        var c = new RunConfig { Name = "demo-" + name, Seed = Seed };
        return c with
        {
            Data = c.Data with
            {
                Source = DataSource.Demo,
                Tokenizer = Text.TokenizerKind.Char,
                DemoTrainSize = TrainSize,
                DemoDevSize = 200,
                DemoTestSize = TestSize,
                DemoMaxDates = MaxDates,
            },
            Model = c.Model with
            {
                Attention = kind,
                EmbeddingSize = EmbeddingSize,
                HiddenSize = HiddenSize,
                Readout = Model.Readout.StateContext,
            },
            Training = c.Training with
            {
                Lr = Lr,
                BatchSize = BatchSize,
                Epochs = 1000,
                MaxSeconds = Seconds,
                MaxSteps = MaxSteps,
                ValidateEvery = 250,
                LogEvery = 50,
                EarlyStoppingMetric = StopMetric.Loss,
                Patience = 0,
                PrintSamples = 0,
                RunDir = Path.Combine(OutDir, name),
                Overwrite = true,
                KeepLast = 1,
            },
            Testing = c.Testing with { BeamSize = 1 },
        };
    }
}

internal sealed record LengthBucketMatch(string Bucket, int Count, double ExactMatch);

/// <summary>One trained model's held-out results.</summary>
internal sealed record DemoModelResult(AttentionKind Attention, double ExactMatch, string RunDir, long Steps,
    IReadOnlyList<LengthBucketMatch> ByLength, IReadOnlyList<string> Hypotheses, TrainResult Training);

internal sealed record DemoReport(IReadOnlyList<DatePair> Test, IReadOnlyList<DemoModelResult> Models, int SampleIndex, AttentionMatrix? SampleAttention);

/// <summary>
/// `attend demo`: trains the plain encoder–decoder and a Bahdanau model on the dates task for the same
/// time, then scores both on held-out dates by input length, and takes the attention of the attention
/// model on a long example.
/// </summary>
internal static class DemoRunner
{
    public static readonly AttentionKind[] Kinds = [AttentionKind.None, AttentionKind.Bahdanau];

    public static DemoReport Run(DemoOptions options, Func<AttentionKind, ITrainingObserver> observer, CancellationToken cancel = default)
    {
        var results = new List<DemoModelResult>();
        TrainingData? data = null;
        foreach (var kind in Kinds)
        {
            var config = options.Config(kind);
            var trainer = TrainingRun.Start(config, resume: false, observer(kind));
            var training = trainer.Run(cancel);
            var loaded = RunDirectory.LoadModel(training.RunDir);
            data ??= TrainingData.Open(config, TrainingRun.PreparedDir(training.RunDir), (loaded.SourceVocab, loaded.TargetVocab));
            var hyps = Validator.Translate(loaded.Model, data, data.Test);
            results.Add(Score(kind, training, hyps, data.Test));
            if (cancel.IsCancellationRequested) break;
        }
        var test = data!.Test.Select(e => new DatePair(e.SourceText, e.TargetText)).ToList();
        int sample = SampleIndex(test);
        AttentionMatrix? matrix = null;
        if (results.Count == Kinds.Length)
        {
            var att = RunDirectory.LoadModel(results[^1].RunDir);
            matrix = AttentionOf(att, data.Test[sample]);
        }
        return new DemoReport(test, results, sample, matrix);
    }

    private static DemoModelResult Score(AttentionKind kind, TrainResult training, List<string> hyps, IReadOnlyList<Example> test)
    {
        bool Ok(int i) => hyps[i] == test[i].TargetText;
        var buckets = DateTask.Buckets()
            .Select(b => (b, idx: Enumerable.Range(0, test.Count).Where(i => DateTask.Bucket(test[i].SourceText.Length) == b).ToList()))
            .Where(x => x.idx.Count > 0)
            .Select(x => new LengthBucketMatch(x.b, x.idx.Count, (double)x.idx.Count(Ok) / x.idx.Count)).ToList();
        double exact = (double)Enumerable.Range(0, test.Count).Count(Ok) / test.Count;
        return new DemoModelResult(kind, exact, training.RunDir, training.Steps, buckets, hyps, training);
    }

    /// <summary>The first example of 24-36 characters with spelled-out words: long enough to show alignment, narrow enough for a terminal.</summary>
    private static int SampleIndex(IReadOnlyList<DatePair> test)
    {
        int i = test.ToList().FindIndex(p => p.Source.Length is >= 24 and <= 40 && p.Source.Contains(" of ") && p.Target.Length > 10);
        if (i < 0) i = test.ToList().FindIndex(p => p.Source.Length is >= 24 and <= 36);
        return i < 0 ? 0 : i;
    }

    /// <summary>The greedy translation of one example with its attention, as a plot matrix (source and target tokens).</summary>
    public static AttentionMatrix? AttentionOf(LoadedModel m, Example e)
    {
        var h = Translator.Decode(m.Model, [e.Source], new SearchOptions())[0][0];
        if (h.Attention is null) return null;
        var src = m.SourceVocab.Decode(e.Source);
        var trg = m.TargetVocab.Decode(h.Tokens);
        trg.Add("</s>");
        int rows = Math.Min(trg.Count, h.Attention.GetLength(0));
        var weights = Enumerable.Range(0, rows)
            .Select(t => (IReadOnlyList<float>)Enumerable.Range(0, src.Count).Select(j => h.Attention[t, j]).ToArray()).ToList();
        return new AttentionMatrix(src, trg.Take(rows).ToList(), weights);
    }
}
