using System.Globalization;
using Attend.ConfigKeys;
using Attend.Decoding;
using Attend.Model;
using Attend.Text;

namespace Attend.Config;

/// <summary>Where the training pairs come from.</summary>
public enum DataSource
{
    /// <summary>The built-in dates task, generated from the seed (no files).</summary>
    Demo,
    /// <summary>Line-aligned files PREFIX.SRC and PREFIX.TRG for train, dev and test.</summary>
    Files,
    /// <summary>One tab-separated file, split into train, dev and test with a seed.</summary>
    Tsv,
    /// <summary>A folder written by <c>attend prepare</c>.</summary>
    Prepared,
}

/// <summary>Which optimizer updates the parameters.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba 2015) with the <c>beta1</c> and <c>beta2</c> keys.</summary>
    Adam,
    /// <summary>Stochastic gradient descent with the <c>momentum</c> key.</summary>
    Sgd,
}

/// <summary>How the learning rate moves during training.</summary>
public enum LrSchedule
{
    /// <summary>A constant rate.</summary>
    None,
    /// <summary>Multiplied by <c>plateau_factor</c> after <c>plateau_patience</c> validations without improvement.</summary>
    Plateau,
    /// <summary>Linear warmup over <c>warmup_steps</c>, then proportional to 1/√step.</summary>
    InverseSqrt,
}

/// <summary>What <c>training.batch_size</c> counts: sentence pairs, or target tokens including padding and EOS.</summary>
public enum BatchType
{
    /// <summary><c>batch_size</c> counts sentence pairs.</summary>
    Sentences,
    /// <summary><c>batch_size</c> counts target tokens, padding and EOS included.</summary>
    Tokens,
}

/// <summary>The validation number that decides "best" and early stopping.</summary>
public enum StopMetric
{
    /// <summary>Greedy BLEU on the dev set, higher is better.</summary>
    Bleu,
    /// <summary>Teacher-forced dev loss, lower is better.</summary>
    Loss,
}

/// <summary>
/// A whole training run, as one YAML file (Joey NMT's layout): <c>name</c>, <c>seed</c> and four sections.
/// Keys are the snake_case forms of the property names (<see cref="ConfigLoader"/> binds them).
/// </summary>
public sealed record RunConfig
{
    /// <summary><c>name</c>: Name of the run, a plain folder name (no / or ..); the run directory defaults to runs/NAME.</summary>
    [Doc("Name of the run, a plain folder name (no / or ..); the run directory defaults to runs/NAME.")]
    public string Name { get; init; } = "run";
    /// <summary><c>seed</c>: Seed of every random choice (initialisation, data order, dropout, teacher forcing).</summary>
    [Doc("Seed of every random choice (initialisation, data order, dropout, teacher forcing).")]
    public ulong Seed { get; init; } = 1;
    /// <summary>The <c>data</c> section: where the pairs come from and how text becomes tokens.</summary>
    public DataConfig Data { get; init; } = new();
    /// <summary>The <c>model</c> section: the architecture (the vocabulary sizes come from the data).</summary>
    public ModelConfig Model { get; init; } = new();
    /// <summary>The <c>training</c> section: optimizer, schedule, batches, budget, validation and checkpoints.</summary>
    public TrainingConfig Training { get; init; } = new();
    /// <summary>The <c>testing</c> section: the search that validation, <c>attend translate</c> and the front door use by default.</summary>
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

/// <summary>The <c>data</c> section of a <see cref="RunConfig"/>; each property is the key of its snake_case name.</summary>
public sealed record DataConfig
{
    /// <summary>
    /// <c>data.source</c>: <c>demo</c> (the built-in dates task, no files needed), <c>files</c> (line-aligned PREFIX.SRC / PREFIX.TRG),
    /// <c>tsv</c> (one tab-separated file, split with a seed) or <c>prepared</c> (a folder written by <c>attend prepare</c>, in
    /// <c>data.prepared</c>).
    /// </summary>
    [Doc("`demo` (the built-in dates task, no files needed), `files` (line-aligned PREFIX.SRC / PREFIX.TRG), `tsv` (one tab-separated file, split with a seed) or `prepared` (a folder written by `attend prepare`, in `data.prepared`).")]
    public DataSource Source { get; init; } = DataSource.Demo;
    /// <summary>
    /// <c>data.dir</c>: Folder the file prefixes (and <c>tsv</c>) are relative to ("" = the current directory); PREFIX.SRC.gz is read when
    /// PREFIX.SRC does not exist.
    /// </summary>
    [Doc("Folder the file prefixes (and `tsv`) are relative to (\"\" = the current directory); PREFIX.SRC.gz is read when PREFIX.SRC does not exist.")]
    public string Dir { get; init; } = "";
    /// <summary><c>data.train</c>: Training file prefix: reads TRAIN.SRC and TRAIN.TRG (files only).</summary>
    [Doc("Training file prefix: reads TRAIN.SRC and TRAIN.TRG (files only).")]
    public string Train { get; init; } = "";
    /// <summary><c>data.dev</c>: Validation file prefix (files only).</summary>
    [Doc("Validation file prefix (files only).")]
    public string Dev { get; init; } = "";
    /// <summary><c>data.test</c>: Test file prefix (files only; optional).</summary>
    [Doc("Test file prefix (files only; optional).")]
    public string Test { get; init; } = "";
    /// <summary><c>data.tsv</c>: The tab-separated file of <c>tsv</c> (plain or gzip), e.g. Tatoeba's <c>English&lt;TAB&gt;French</c>.</summary>
    [Doc("The tab-separated file of `tsv` (plain or gzip), e.g. Tatoeba's `English<TAB>French`.")]
    public string Tsv { get; init; } = "";
    /// <summary><c>data.tsv_src_column</c>: <c>tsv</c>: 0-based column of the source sentence.</summary>
    [Doc("`tsv`: 0-based column of the source sentence."), NonNegative]
    public int TsvSrcColumn { get; init; }
    /// <summary><c>data.tsv_trg_column</c>: <c>tsv</c>: 0-based column of the target sentence.</summary>
    [Doc("`tsv`: 0-based column of the target sentence."), NonNegative]
    public int TsvTrgColumn { get; init; } = 1;
    /// <summary>
    /// <c>data.dev_fraction</c>: <c>tsv</c>: fraction of sentence groups held out for validation (pairs sharing a source or a target sentence
    /// stay together, so no dev/test sentence occurs in training).
    /// </summary>
    [Doc("`tsv`: fraction of sentence groups held out for validation (pairs sharing a source or a target sentence stay together, so no dev/test sentence occurs in training)."), Range(0, 1, MaxExclusive = true)]
    public double DevFraction { get; init; } = 0.01;
    /// <summary><c>data.test_fraction</c>: <c>tsv</c>: fraction of sentence groups held out for testing.</summary>
    [Doc("`tsv`: fraction of sentence groups held out for testing."), Range(0, 1, MaxExclusive = true)]
    public double TestFraction { get; init; } = 0.01;
    /// <summary>
    /// <c>data.split_seed</c>: <c>tsv</c>: seed of the split (independent of <c>seed</c>, so runs with other seeds see the same split).
    /// </summary>
    [Doc("`tsv`: seed of the split (independent of `seed`, so runs with other seeds see the same split).")]
    public ulong SplitSeed { get; init; } = 1;
    /// <summary>
    /// <c>data.tsv_max_length</c>: <c>tsv</c>: keep only pairs with at most this many tokens on both sides, in every split, before splitting (0
    /// = all).
    /// </summary>
    [Doc("`tsv`: keep only pairs with at most this many tokens on both sides, in every split, before splitting (0 = all).")]
    [NonNegative]
    public int TsvMaxLength { get; init; }
    /// <summary><c>data.src</c>: Source language suffix.</summary>
    [Doc("Source language suffix.")]
    public string Src { get; init; } = "src";
    /// <summary><c>data.trg</c>: Target language suffix.</summary>
    [Doc("Target language suffix.")]
    public string Trg { get; init; } = "trg";
    /// <summary><c>data.tokenizer</c>: <c>word</c>, <c>char</c> or <c>whitespace</c> tokenization of both sides.</summary>
    [Doc("`word`, `char` or `whitespace` tokenization of both sides.")]
    public TokenizerKind Tokenizer { get; init; } = TokenizerKind.Word;
    /// <summary><c>data.lowercase</c>: Lowercase both sides before tokenizing.</summary>
    [Doc("Lowercase both sides before tokenizing.")]
    public bool Lowercase { get; init; }
    /// <summary><c>data.max_length</c>: Training pairs longer than this many tokens on either side are dropped (and counted).</summary>
    [Doc("Training pairs longer than this many tokens on either side are dropped (and counted)."), Positive]
    public int MaxLength { get; init; } = 100;
    /// <summary>
    /// <c>data.bpe_merges</c>: Joint BPE merges learned on the tokenized training data of both sides (0 = no BPE). The codes are saved as
    /// <c>bpe.codes</c> in every checkpoint.
    /// </summary>
    [Doc("Joint BPE merges learned on the tokenized training data of both sides (0 = no BPE). The codes are saved as `bpe.codes` in every checkpoint."), NonNegative]
    public int BpeMerges { get; init; }
    /// <summary><c>data.bpe_min_frequency</c>: Pairs rarer than this stop BPE learning early.</summary>
    [Doc("Pairs rarer than this stop BPE learning early."), Positive]
    public int BpeMinFrequency { get; init; } = 2;
    /// <summary><c>data.vocab_min_freq</c>: Tokens seen fewer times are <c>&lt;unk&gt;</c>.</summary>
    [Doc("Tokens seen fewer times are `<unk>`."), Positive]
    public int VocabMinFreq { get; init; } = 1;
    /// <summary><c>data.vocab_max_size</c>: Largest vocabulary per side (0 = unlimited).</summary>
    [Doc("Largest vocabulary per side (0 = unlimited)."), NonNegative]
    public int VocabMaxSize { get; init; }
    /// <summary>
    /// <c>data.shard_pairs</c>: Pairs per training shard when a corpus is prepared (<c>attend prepare</c>, and <c>attend train</c> on files or
    /// tsv): a shard is shuffled as a whole, and at most one is mapped at a time.
    /// </summary>
    [Doc("Pairs per training shard when a corpus is prepared (`attend prepare`, and `attend train` on files or tsv): a shard is shuffled as a whole, and at most one is mapped at a time."), Positive]
    public int ShardPairs { get; init; } = 250_000;
    /// <summary><c>data.prepared</c>: <c>prepared</c>: the folder <c>attend prepare</c> wrote (manifest.json, vocabularies, shards).</summary>
    [Doc("`prepared`: the folder `attend prepare` wrote (manifest.json, vocabularies, shards).")]
    public string Prepared { get; init; } = "";

    /// <summary>How this section's raw text becomes tokens (normalize, tokenize, then BPE with <paramref name="bpe"/>).</summary>
    internal TextSide CreateTextSide(BpeCodes? bpe = null) => new(Tokenizer, Lowercase, bpe);

    /// <summary><c>data.demo_max_dates</c>: Demo task: each example lists 1..N dates (1 = one date per example).</summary>
    [Doc("Demo task: each example lists 1..N dates (1 = one date per example)."), Positive]
    public int DemoMaxDates { get; init; } = 1;
    /// <summary><c>data.demo_train_size</c>: Demo task: number of training pairs.</summary>
    [Doc("Demo task: number of training pairs."), Positive]
    public int DemoTrainSize { get; init; } = 20000;
    /// <summary><c>data.demo_dev_size</c>: Demo task: number of validation pairs.</summary>
    [Doc("Demo task: number of validation pairs."), Positive]
    public int DemoDevSize { get; init; } = 500;
    /// <summary><c>data.demo_test_size</c>: Demo task: number of held-out test pairs.</summary>
    [Doc("Demo task: number of held-out test pairs."), Positive]
    public int DemoTestSize { get; init; } = 1000;
}

/// <summary>The <c>training</c> section of a <see cref="RunConfig"/>; each property is the key of its snake_case name.</summary>
public sealed record TrainingConfig
{
    /// <summary><c>training.optimizer</c>: <c>adam</c> or <c>sgd</c>.</summary>
    [Doc("`adam` or `sgd`.")]
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary><c>training.lr</c>: Learning rate (peak rate with <c>inverse_sqrt</c>).</summary>
    [Doc("Learning rate (peak rate with `inverse_sqrt`)."), Positive]
    public double Lr { get; init; } = 1e-3;
    /// <summary><c>training.beta1</c>: Adam β1.</summary>
    [Doc("Adam β1."), Range(0, 1, MaxExclusive = true)]
    public double Beta1 { get; init; } = 0.9;
    /// <summary><c>training.beta2</c>: Adam β2.</summary>
    [Doc("Adam β2."), Range(0, 1, MaxExclusive = true)]
    public double Beta2 { get; init; } = 0.999;
    /// <summary><c>training.momentum</c>: SGD momentum.</summary>
    [Doc("SGD momentum."), Range(0, 1, MaxExclusive = true)]
    public double Momentum { get; init; }
    /// <summary>
    /// <c>training.schedule</c>: <c>none</c>, <c>plateau</c> (multiply by plateau_factor after plateau_patience validations without
    /// improvement) or <c>inverse_sqrt</c> (linear warmup, then ∝ 1/√step).
    /// </summary>
    [Doc("`none`, `plateau` (multiply by plateau_factor after plateau_patience validations without improvement) or `inverse_sqrt` (linear warmup, then ∝ 1/√step).")]
    public LrSchedule Schedule { get; init; } = LrSchedule.None;
    /// <summary><c>training.warmup_steps</c>: Warmup steps of <c>inverse_sqrt</c>.</summary>
    [Doc("Warmup steps of `inverse_sqrt`."), Positive]
    public int WarmupSteps { get; init; } = 1000;
    /// <summary><c>training.plateau_patience</c>: Validations without improvement before <c>plateau</c> lowers the rate.</summary>
    [Doc("Validations without improvement before `plateau` lowers the rate."), Positive]
    public int PlateauPatience { get; init; } = 2;
    /// <summary><c>training.plateau_factor</c>: Factor applied by <c>plateau</c>.</summary>
    [Doc("Factor applied by `plateau`."), Range(0, 1, MaxExclusive = true)]
    public double PlateauFactor { get; init; } = 0.5;
    /// <summary><c>training.min_lr</c>: The rate never goes below this.</summary>
    [Doc("The rate never goes below this."), NonNegative]
    public double MinLr { get; init; } = 1e-6;
    /// <summary><c>training.clip_grad_norm</c>: Clip the global gradient norm to this (0 = no clipping).</summary>
    [Doc("Clip the global gradient norm to this (0 = no clipping)."), NonNegative]
    public double ClipGradNorm { get; init; } = 1.0;
    /// <summary><c>training.label_smoothing</c>: Label smoothing ε of the cross-entropy.</summary>
    [Doc("Label smoothing ε of the cross-entropy."), Range(0, 1, MaxExclusive = true)]
    public float LabelSmoothing { get; init; }
    /// <summary><c>training.teacher_forcing</c>: Probability of feeding the gold previous token (1 = full teacher forcing).</summary>
    [Doc("Probability of feeding the gold previous token (1 = full teacher forcing)."), Range(0, 1)]
    public float TeacherForcing { get; init; } = 1f;
    /// <summary>
    /// <c>training.batch_size</c>: Sentences per batch, or with <c>batch_type: tokens</c> target tokens per batch (sentences × the longest
    /// target + EOS, padding included).
    /// </summary>
    [Doc("Sentences per batch, or with `batch_type: tokens` target tokens per batch (sentences × the longest target + EOS, padding included)."), Positive]
    public int BatchSize { get; init; } = 64;
    /// <summary>
    /// <c>training.batch_type</c>: <c>sentences</c> or <c>tokens</c>: what <c>batch_size</c> counts (Joey NMT's and OpenNMT's convention).
    /// </summary>
    [Doc("`sentences` or `tokens`: what `batch_size` counts (Joey NMT's and OpenNMT's convention).")]
    public BatchType BatchType { get; init; } = BatchType.Sentences;
    /// <summary>
    /// <c>training.accumulate</c>: Batches whose gradients are summed (weighted by their target tokens) before one update: the update of one
    /// batch k times larger, up to float rounding. An update never spans two shards.
    /// </summary>
    [Doc("Batches whose gradients are summed (weighted by their target tokens) before one update: the update of one batch k times larger, up to float rounding. An update never spans two shards."), Positive]
    public int Accumulate { get; init; } = 1;
    /// <summary><c>training.epochs</c>: Maximum number of passes over the training data.</summary>
    [Doc("Maximum number of passes over the training data."), Positive]
    public int Epochs { get; init; } = 10;
    /// <summary><c>training.max_steps</c>: Stop after this many updates (0 = no limit).</summary>
    [Doc("Stop after this many updates (0 = no limit)."), NonNegative]
    public long MaxSteps { get; init; }
    /// <summary><c>training.max_seconds</c>: Stop after this many seconds of training (0 = no limit).</summary>
    [Doc("Stop after this many seconds of training (0 = no limit)."), NonNegative]
    public double MaxSeconds { get; init; }
    /// <summary><c>training.validate_every</c>: Validate (and write checkpoints) every this many updates.</summary>
    [Doc("Validate (and write checkpoints) every this many updates."), Positive]
    public int ValidateEvery { get; init; } = 1000;
    /// <summary><c>training.log_every</c>: Write a metrics line every this many updates.</summary>
    [Doc("Write a metrics line every this many updates."), Positive]
    public int LogEvery { get; init; } = 100;
    /// <summary><c>training.early_stopping_metric</c>: <c>bleu</c> or <c>loss</c>: what decides the best checkpoint and early stopping.</summary>
    [Doc("`bleu` or `loss`: what decides the best checkpoint and early stopping.")]
    public StopMetric EarlyStoppingMetric { get; init; } = StopMetric.Bleu;
    /// <summary><c>training.patience</c>: Stop after this many validations without improvement (0 = never stop early).</summary>
    [Doc("Stop after this many validations without improvement (0 = never stop early)."), NonNegative]
    public int Patience { get; init; } = 5;
    /// <summary><c>training.print_samples</c>: Translations printed at each validation.</summary>
    [Doc("Translations printed at each validation."), NonNegative]
    public int PrintSamples { get; init; } = 3;
    /// <summary><c>training.keep_last</c>: Step checkpoints kept besides <c>best</c> (the newest ones; <c>attend average</c> reads them).</summary>
    [Doc("Step checkpoints kept besides `best` (the newest ones; `attend average` reads them)."), Positive]
    public int KeepLast { get; init; } = 3;
    /// <summary><c>training.run_dir</c>: Run directory (default runs/NAME); created with its parents before training starts.</summary>
    [Doc("Run directory (default runs/NAME); created with its parents before training starts.")]
    public string RunDir { get; init; } = "";
    /// <summary>
    /// <c>training.overwrite</c>: Start over in an existing run directory: empties it only if it is an Attend run (it holds .attend-run).
    /// </summary>
    [Doc("Start over in an existing run directory: empties it only if it is an Attend run (it holds .attend-run).")]
    public bool Overwrite { get; init; }
}

/// <summary>The <c>testing</c> section of a <see cref="RunConfig"/>; each property is the key of its snake_case name.</summary>
public sealed record TestingConfig
{
    /// <summary><c>testing.beam_size</c>: Beam size (1 = greedy; at most 256).</summary>
    [Doc("Beam size (1 = greedy; at most 256)."), Positive, Range(1, SearchLimits.MaxBeam)]
    public int BeamSize { get; init; } = 5;
    /// <summary><c>testing.alpha</c>: GNMT length penalty α (0 = raw sum of log-probabilities; at most 10).</summary>
    [Doc("GNMT length penalty α (0 = raw sum of log-probabilities; at most 10)."), NonNegative, Range(0, SearchLimits.MaxAlpha)]
    public double Alpha { get; init; } = 0.6;
    /// <summary><c>testing.max_output_ratio</c>: Maximum output length as a multiple of the source length (plus 10; at most 10).</summary>
    [Doc("Maximum output length as a multiple of the source length (plus 10; at most 10)."), Positive, Range(0, SearchLimits.MaxOutputRatio)]
    public double MaxOutputRatio { get; init; } = 1.5;
    /// <summary><c>testing.batch_size</c>: Sentences decoded at once.</summary>
    [Doc("Sentences decoded at once."), Positive]
    public int BatchSize { get; init; } = 32;
}
