using System.Globalization;
using Attend.ConfigKeys;
using Attend.Decoding;
using Attend.Model;
using Attend.Text;

namespace Attend.Config;

/// <summary>Where the training pairs come from.</summary>
public enum DataSource { Demo, Files, Tsv, Prepared }

/// <summary>Which optimizer updates the parameters.</summary>
public enum OptimizerKind { Adam, Sgd }

/// <summary>How the learning rate moves during training.</summary>
public enum LrSchedule { None, Plateau, InverseSqrt }

/// <summary>What <c>training.batch_size</c> counts: sentence pairs, or target tokens including padding and EOS.</summary>
public enum BatchType { Sentences, Tokens }

/// <summary>The validation number that decides "best" and early stopping.</summary>
public enum StopMetric { Bleu, Loss }

/// <summary>
/// A whole training run, as one YAML file (Joey NMT's layout): <c>name</c>, <c>seed</c> and four sections.
/// Keys are the snake_case forms of the property names (<see cref="ConfigLoader"/> binds them).
/// </summary>
public sealed record RunConfig
{
    [Doc("Name of the run, a plain folder name (no / or ..); the run directory defaults to runs/NAME.")]
    public string Name { get; init; } = "run";
    [Doc("Seed of every random choice (initialisation, data order, dropout, teacher forcing).")]
    public ulong Seed { get; init; } = 1;
    public DataConfig Data { get; init; } = new();
    public ModelConfig Model { get; init; } = new();
    public TrainingConfig Training { get; init; } = new();
    public TestingConfig Testing { get; init; } = new();

    /// <summary>
    /// The <see cref="Model"/> section for the given vocabulary sizes; a model past its <see cref="ModelConfig.MaxParameters"/>
    /// is a <see cref="ConfigException"/> naming the keys that size it.
    /// </summary>
    public ModelConfig ModelFor(int sourceVocab, int targetVocab)
    {
        var config = Model with { SourceVocab = sourceVocab, TargetVocab = targetVocab };
        var n = ModelLimits.MinimumParameters(config);
        if (n <= config.MaxParameters) return config;
        var ic = CultureInfo.InvariantCulture;
        throw new ConfigException(string.Create(ic,
            $"model: at least {n:N0} parameters, more than model.max_parameters = {config.MaxParameters:N0} " +
            $"(model.hidden_size {config.HiddenSize}, model.embedding_size {config.EmbeddingSize}, " +
            $"vocabularies {config.SourceVocab} / {config.TargetVocab}, see data.vocab_max_size); make the model smaller or raise model.max_parameters"));
    }
}

public sealed record DataConfig
{
    [Doc("`demo` (the built-in dates task, no files needed), `files` (line-aligned PREFIX.SRC / PREFIX.TRG), `tsv` (one tab-separated file, split with a seed) or `prepared` (a folder written by `attend prepare`, in `data.prepared`).")]
    public DataSource Source { get; init; } = DataSource.Demo;
    [Doc("Folder the file prefixes (and `tsv`) are relative to (\"\" = the current directory); PREFIX.SRC.gz is read when PREFIX.SRC does not exist.")]
    public string Dir { get; init; } = "";
    [Doc("Training file prefix: reads TRAIN.SRC and TRAIN.TRG (files only).")]
    public string Train { get; init; } = "";
    [Doc("Validation file prefix (files only).")]
    public string Dev { get; init; } = "";
    [Doc("Test file prefix (files only; optional).")]
    public string Test { get; init; } = "";
    [Doc("The tab-separated file of `tsv` (plain or gzip), e.g. Tatoeba's `English<TAB>French`.")]
    public string Tsv { get; init; } = "";
    [Doc("`tsv`: 0-based column of the source sentence."), NonNegative]
    public int TsvSrcColumn { get; init; }
    [Doc("`tsv`: 0-based column of the target sentence."), NonNegative]
    public int TsvTrgColumn { get; init; } = 1;
    [Doc("`tsv`: fraction of sentence groups held out for validation (pairs sharing a source or a target sentence stay together, so no dev/test sentence occurs in training)."), Range(0, 1, MaxExclusive = true)]
    public double DevFraction { get; init; } = 0.01;
    [Doc("`tsv`: fraction of sentence groups held out for testing."), Range(0, 1, MaxExclusive = true)]
    public double TestFraction { get; init; } = 0.01;
    [Doc("`tsv`: seed of the split (independent of `seed`, so runs with other seeds see the same split).")]
    public ulong SplitSeed { get; init; } = 1;
    [Doc("`tsv`: keep only pairs with at most this many tokens on both sides, in every split, before splitting (0 = all).")]
    [NonNegative]
    public int TsvMaxLength { get; init; }
    [Doc("Source language suffix.")]
    public string Src { get; init; } = "src";
    [Doc("Target language suffix.")]
    public string Trg { get; init; } = "trg";
    [Doc("`word`, `char` or `whitespace` tokenization of both sides.")]
    public TokenizerKind Tokenizer { get; init; } = TokenizerKind.Word;
    [Doc("Lowercase both sides before tokenizing.")]
    public bool Lowercase { get; init; }
    [Doc("Training pairs longer than this many tokens on either side are dropped (and counted)."), Positive]
    public int MaxLength { get; init; } = 100;
    [Doc("Joint BPE merges learned on the tokenized training data of both sides (0 = no BPE). The codes are saved as `bpe.codes` in every checkpoint."), NonNegative]
    public int BpeMerges { get; init; }
    [Doc("Pairs rarer than this stop BPE learning early."), Positive]
    public int BpeMinFrequency { get; init; } = 2;
    [Doc("Tokens seen fewer times are `<unk>`."), Positive]
    public int VocabMinFreq { get; init; } = 1;
    [Doc("Largest vocabulary per side (0 = unlimited)."), NonNegative]
    public int VocabMaxSize { get; init; }
    [Doc("Pairs per training shard when a corpus is prepared (`attend prepare`, and `attend train` on files or tsv): a shard is shuffled as a whole, and at most one is mapped at a time."), Positive]
    public int ShardPairs { get; init; } = 250_000;
    [Doc("`prepared`: the folder `attend prepare` wrote (manifest.json, vocabularies, shards).")]
    public string Prepared { get; init; } = "";

    /// <summary>How this section's raw text becomes tokens (normalize, tokenize, then BPE with <paramref name="bpe"/>).</summary>
    public TextSide CreateTextSide(BpeCodes? bpe = null) => new(Tokenizer, Lowercase, bpe);

    [Doc("Demo task: each example lists 1..N dates (1 = one date per example)."), Positive]
    public int DemoMaxDates { get; init; } = 1;
    [Doc("Demo task: number of training pairs."), Positive]
    public int DemoTrainSize { get; init; } = 20000;
    [Doc("Demo task: number of validation pairs."), Positive]
    public int DemoDevSize { get; init; } = 500;
    [Doc("Demo task: number of held-out test pairs."), Positive]
    public int DemoTestSize { get; init; } = 1000;
}

public sealed record TrainingConfig
{
    [Doc("`adam` or `sgd`.")]
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    [Doc("Learning rate (peak rate with `inverse_sqrt`)."), Positive]
    public double Lr { get; init; } = 1e-3;
    [Doc("Adam β1."), Range(0, 1, MaxExclusive = true)]
    public double Beta1 { get; init; } = 0.9;
    [Doc("Adam β2."), Range(0, 1, MaxExclusive = true)]
    public double Beta2 { get; init; } = 0.999;
    [Doc("SGD momentum."), Range(0, 1, MaxExclusive = true)]
    public double Momentum { get; init; }
    [Doc("`none`, `plateau` (multiply by plateau_factor after plateau_patience validations without improvement) or `inverse_sqrt` (linear warmup, then ∝ 1/√step).")]
    public LrSchedule Schedule { get; init; } = LrSchedule.None;
    [Doc("Warmup steps of `inverse_sqrt`."), Positive]
    public int WarmupSteps { get; init; } = 1000;
    [Doc("Validations without improvement before `plateau` lowers the rate."), Positive]
    public int PlateauPatience { get; init; } = 2;
    [Doc("Factor applied by `plateau`."), Range(0, 1, MaxExclusive = true)]
    public double PlateauFactor { get; init; } = 0.5;
    [Doc("The rate never goes below this."), NonNegative]
    public double MinLr { get; init; } = 1e-6;
    [Doc("Clip the global gradient norm to this (0 = no clipping)."), NonNegative]
    public double ClipGradNorm { get; init; } = 1.0;
    [Doc("Label smoothing ε of the cross-entropy."), Range(0, 1, MaxExclusive = true)]
    public float LabelSmoothing { get; init; }
    [Doc("Probability of feeding the gold previous token (1 = full teacher forcing)."), Range(0, 1)]
    public float TeacherForcing { get; init; } = 1f;
    [Doc("Sentences per batch, or with `batch_type: tokens` target tokens per batch (sentences × the longest target + EOS, padding included)."), Positive]
    public int BatchSize { get; init; } = 64;
    [Doc("`sentences` or `tokens`: what `batch_size` counts (Joey NMT's and OpenNMT's convention).")]
    public BatchType BatchType { get; init; } = BatchType.Sentences;
    [Doc("Batches whose gradients are summed (weighted by their target tokens) before one update: the update of one batch k times larger, up to float rounding. An update never spans two shards."), Positive]
    public int Accumulate { get; init; } = 1;
    [Doc("Maximum number of passes over the training data."), Positive]
    public int Epochs { get; init; } = 10;
    [Doc("Stop after this many updates (0 = no limit)."), NonNegative]
    public long MaxSteps { get; init; }
    [Doc("Stop after this many seconds of training (0 = no limit)."), NonNegative]
    public double MaxSeconds { get; init; }
    [Doc("Validate (and write checkpoints) every this many updates."), Positive]
    public int ValidateEvery { get; init; } = 1000;
    [Doc("Write a metrics line every this many updates."), Positive]
    public int LogEvery { get; init; } = 100;
    [Doc("`bleu` or `loss`: what decides the best checkpoint and early stopping.")]
    public StopMetric EarlyStoppingMetric { get; init; } = StopMetric.Bleu;
    [Doc("Stop after this many validations without improvement (0 = never stop early)."), NonNegative]
    public int Patience { get; init; } = 5;
    [Doc("Translations printed at each validation."), NonNegative]
    public int PrintSamples { get; init; } = 3;
    [Doc("Step checkpoints kept besides `best` (the newest ones; `attend average` reads them)."), Positive]
    public int KeepLast { get; init; } = 3;
    [Doc("Run directory (default runs/NAME); created with its parents before training starts.")]
    public string RunDir { get; init; } = "";
    [Doc("Start over in an existing run directory: empties it only if it is an Attend run (it holds .attend-run).")]
    public bool Overwrite { get; init; }
}

public sealed record TestingConfig
{
    [Doc("Beam size (1 = greedy; at most 256)."), Positive, Range(1, SearchLimits.MaxBeam)]
    public int BeamSize { get; init; } = 5;
    [Doc("GNMT length penalty α (0 = raw sum of log-probabilities; at most 10)."), NonNegative, Range(0, SearchLimits.MaxAlpha)]
    public double Alpha { get; init; } = 0.6;
    [Doc("Maximum output length as a multiple of the source length (plus 10; at most 10)."), Positive, Range(0, SearchLimits.MaxOutputRatio)]
    public double MaxOutputRatio { get; init; } = 1.5;
    [Doc("Sentences decoded at once."), Positive]
    public int BatchSize { get; init; } = 32;
}
