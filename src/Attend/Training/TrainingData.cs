using Attend.Config;
using Attend.Corpus;
using Attend.Data;
using Attend.Text;

namespace Attend.Training;

/// <summary>One training pair: ids without BOS/EOS, and the raw texts (for BLEU, samples and length buckets).</summary>
internal sealed record Example(int[] Source, int[] Target, string SourceText, string TargetText);

/// <summary>
/// The three splits of a run with their vocabularies, ready for batching: the training pairs as shards (or in
/// memory), the held-out pairs with their raw text. Every path goes through <see cref="Preparer"/>, so a corpus
/// is tokenized, segmented and mapped to ids the same way whether it trains from memory or from shards.
/// </summary>
internal sealed record TrainingData(Vocabulary SourceVocab, Vocabulary TargetVocab, TextSide Text,
    TrainingPairs Train, IReadOnlyList<Example> Dev, IReadOnlyList<Example> Test, long DroppedTooLong)
{
    /// <summary>
    /// The splits the config names, prepared in a temporary folder and read into memory: for small corpora
    /// and tests (a run trains from its own prepared folder, see <see cref="Open"/>).
    /// </summary>
    public static TrainingData Load(RunConfig config)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"attend-prepared-{Guid.NewGuid():N}");
        try
        {
            var data = Open(config, dir);
            return data with { Train = TrainingPairs.InMemory(data.Train.All().ToList()) };
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The run's data from the prepared folder <paramref name="preparedDir"/>, preparing it there first when it
    /// holds none (with <c>data.source: prepared</c> the config's <c>data.prepared</c> folder instead).
    /// <paramref name="vocabs"/> and <paramref name="bpe"/> are a resumed run's own: a folder prepared with
    /// others is an error, and a missing folder is prepared with them.
    /// </summary>
    public static TrainingData Open(RunConfig config, string preparedDir, (Vocabulary Src, Vocabulary Trg)? vocabs = null, BpeCodes? bpe = null,
        Action<string>? note = null)
    {
        var d = config.Data;
        string dir = d.Source == DataSource.Prepared ? d.Prepared : preparedDir;
        if (d.Source == DataSource.Prepared)
        {
            if (dir.Length == 0) throw new ConfigException("data.prepared: required when data.source is prepared (a folder written by `attend prepare`)");
        }
        else if (!File.Exists(Path.Combine(dir, Manifest.FileName)))
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); // a preparation cut short
            Preparer.Run(d, Sources(config), dir, new PrepareOptions(ShardPairs: d.ShardPairs, Bpe: bpe, SourceVocab: vocabs?.Src, TargetVocab: vocabs?.Trg), note);
        }
        var corpus = PreparedCorpus.Open(dir);
        CheckShaping(d, corpus);
        if (vocabs is { } v && (v.Src.Fingerprint != corpus.SourceVocab.Fingerprint || v.Trg.Fingerprint != corpus.TargetVocab.Fingerprint))
            throw new InvalidDataException($"{dir}: prepared with other vocabularies than the run's checkpoint; prepare it again with the run's vocabularies, or start a new run");
        if (bpe is not null && (corpus.Bpe is null || !corpus.Bpe.Merges.SequenceEqual(bpe.Merges)))
            throw new InvalidDataException($"{dir}: prepared with other BPE codes than the run's checkpoint");
        var text = d.CreateTextSide(corpus.Bpe);
        List<Example> HeldOut(string split) => corpus.ReadHeldOut(split).Select(p => new Example(p.Source, p.Target, p.SourceText, p.TargetText)).ToList();
        var dev = HeldOut("dev");
        // Without a dev pair, the validation loss is NaN and every validation would count as the best.
        if (dev.Count == 0) throw new ConfigException(EmptyDev(d, corpus.Directory));
        return new TrainingData(corpus.SourceVocab, corpus.TargetVocab, text, TrainingPairs.Prepared(corpus),
            dev, HeldOut("test"), corpus.Manifest.Splits["train"].Dropped.Total);
    }

    private static string EmptyDev(DataConfig d, string preparedDir) => d.Source switch
    {
        DataSource.Tsv => $"{Path.Combine(d.Dir, d.Tsv)}: data.dev_fraction = {d.DevFraction} holds out no sentence pair; validation needs at least one (raise data.dev_fraction)",
        DataSource.Files => $"{CorpusSplits.Find(d.Dir, $"{d.Dev}.{d.Src}")}: the dev set (data.dev) has no sentence with tokens; validation needs at least one pair",
        _ => $"{preparedDir}: the prepared dev split has no pair; validation needs at least one",
    };

    /// <summary>The keys that decide how text becomes tokens must be the prepared corpus's, or translation would tokenize differently.</summary>
    private static void CheckShaping(DataConfig d, PreparedCorpus corpus)
    {
        var mine = Preparer.Shaping(d);
        foreach (var key in new[] { "tokenizer", "lowercase", "bpe_merges" })
            if (corpus.Manifest.Config.TryGetValue(key, out var theirs) && theirs != mine[key])
                throw new ConfigException($"data.{key}: {mine[key]}, but the corpus in {corpus.Directory} was prepared with {theirs}");
    }

    /// <summary>
    /// The raw splits the config names, for <see cref="Corpus.Preparer"/>: files stream (a line that is not valid
    /// UTF-8 drops its pair, counted); the demo task and a seeded TSV split are made in memory first.
    /// </summary>
    public static CorpusSource Sources(RunConfig config)
    {
        var d = config.Data;
        static SplitSource Listed(string name, List<(string S, string T)> pairs) =>
            new(name, _ => pairs.Select((p, i) => new SentencePair(p.S, p.T, i + 1)));
        if (d.Source == DataSource.Demo || d.Source == DataSource.Tsv)
        {
            var (train, dev, test) = d.Source == DataSource.Demo ? Demo(config) : ReadTsv(d);
            var files = d.Source == DataSource.Tsv ? [Path.Combine(d.Dir, d.Tsv)] : new List<string>();
            return new([Listed("train", train), Listed("dev", dev), Listed("test", test)], files);
        }
        if (d.Train.Length == 0) throw new ConfigException("data.train: required when data.source is files");
        if (d.Dev.Length == 0) throw new ConfigException("data.dev: required when data.source is files");
        var splits = new List<SplitSource>();
        var paths = new List<string>();
        foreach (var (name, prefix) in new[] { ("train", d.Train), ("dev", d.Dev), ("test", d.Test) })
        {
            if (prefix.Length == 0) continue;
            string src = CorpusSplits.Find(d.Dir, $"{prefix}.{d.Src}"), trg = CorpusSplits.Find(d.Dir, $"{prefix}.{d.Trg}");
            paths.Add(src);
            paths.Add(trg);
            splits.Add(new(name, report => ParallelCorpus.ReadAligned(src, trg, report, dropInvalid: true)));
        }
        return new(splits, paths);
    }

    /// <summary>The demo task's splits: three generators forked from the run seed; dev and test exclude every training source.</summary>
    private static (List<(string, string)>, List<(string, string)>, List<(string, string)>) Demo(RunConfig config)
    {
        var d = config.Data;
        var rng = new Tensors.Rng(config.Seed);
        var trainPairs = DateTask.GenerateLists(rng.Fork(), d.DemoTrainSize, d.DemoMaxDates);
        var seen = trainPairs.Select(p => p.Source).ToHashSet(StringComparer.Ordinal);
        static List<(string, string)> L(IEnumerable<DatePair> ps) => ps.Select(p => (p.Source, p.Target)).ToList();
        return (L(trainPairs), L(DateTask.GenerateLists(rng.Fork(), d.DemoDevSize, d.DemoMaxDates, seen)),
            L(DateTask.GenerateLists(rng.Fork(), d.DemoTestSize, d.DemoMaxDates, seen)));
    }

    /// <summary>The seeded train/dev/test split of one tab-separated file, after the optional length filter.</summary>
    private static (List<(string, string)>, List<(string, string)>, List<(string, string)>) ReadTsv(DataConfig d)
    {
        if (d.Tsv.Length == 0) throw new ConfigException("data.tsv: required when data.source is tsv");
        if (d.DevFraction + d.TestFraction >= 1) throw new ConfigException($"data.dev_fraction + data.test_fraction: must be below 1, got {d.DevFraction} + {d.TestFraction}");
        var path = Path.Combine(d.Dir, d.Tsv);
        IEnumerable<SentencePair> pairs = ParallelCorpus.ReadTsv(path, d.TsvSrcColumn, d.TsvTrgColumn);
        if (d.TsvMaxLength > 0)
        {
            var words = d.CreateTextSide();
            pairs = pairs.Where(p => words.Words(p.Source).Length <= d.TsvMaxLength && words.Words(p.Target).Length <= d.TsvMaxLength);
        }
        var split = CorpusSplits.SplitSeeded(pairs, d.DevFraction, d.TestFraction, d.SplitSeed, SplitGrouping.BySourceOrTarget);
        static List<(string, string)> L(IReadOnlyList<SentencePair> ps) => ps.Select(p => (p.Source, p.Target)).ToList();
        return (L(split.Train), L(split.Dev), L(split.Test));
    }
}
