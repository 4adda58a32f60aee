using Attend.Config;
using Attend.Text;

namespace Attend.Training;

/// <summary>One training pair: ids without BOS/EOS, and the raw texts (for BLEU, samples and length buckets).</summary>
public sealed record Example(int[] Source, int[] Target, string SourceText, string TargetText);

/// <summary>The three splits of a run with their vocabularies, ready for batching.</summary>
public sealed record TrainingData(Vocabulary SourceVocab, Vocabulary TargetVocab, TextSide Text,
    IReadOnlyList<Example> Train, IReadOnlyList<Example> Dev, IReadOnlyList<Example> Test, long DroppedTooLong)
{
    /// <summary>
    /// Reads (or, for the demo task, generates) the splits the config names, builds the vocabularies from
    /// the training split (or reuses <paramref name="vocabs"/> when resuming) and drops training pairs
    /// longer than <c>data.max_length</c>.
    /// </summary>
    public static TrainingData Load(RunConfig config, (Vocabulary Src, Vocabulary Trg)? vocabs = null, BpeCodes? bpe = null)
    {
        var d = config.Data;
        List<(string S, string T)> train, dev, test;
        if (d.Source == DataSource.Demo)
            (train, dev, test) = Demo(config);
        else if (d.Source == DataSource.Tsv)
            (train, dev, test) = ReadTsv(d);
        else
        {
            if (d.Train.Length == 0) throw new ConfigException("data.train: required when data.source is files");
            if (d.Dev.Length == 0) throw new ConfigException("data.dev: required when data.source is files");
            train = Read(d, d.Train);
            dev = Read(d, d.Dev);
            test = d.Test.Length == 0 ? [] : Read(d, d.Test);
        }
        var text = d.CreateTextSide(bpe ?? (d.BpeMerges > 0 ? LearnBpe(train, d) : null));
        var trainTok = train.Select(p => (S: text.Tokenize(p.S), T: text.Tokenize(p.T), p)).ToList();
        long dropped = trainTok.RemoveAll(x => x.S.Length == 0 || x.T.Length == 0 || x.S.Length > d.MaxLength || x.T.Length > d.MaxLength);
        if (trainTok.Count == 0) throw new ConfigException($"data: no training pairs left after dropping {dropped} longer than data.max_length = {d.MaxLength}");
        var (sv, tv) = vocabs ?? (Build(trainTok.Select(x => x.S), d), Build(trainTok.Select(x => x.T), d));
        Example Make(string[] s, string[] t, string st, string tt) => new(sv.Encode(s), tv.Encode(t), st, tt);
        List<Example> Encode(List<(string S, string T)> pairs) =>
            pairs.Select(p => Make(text.Tokenize(p.S), text.Tokenize(p.T), p.S, p.T)).Where(e => e.Source.Length > 0).ToList();
        var devExamples = Encode(dev);
        // Without a dev pair, the validation loss is NaN and every validation would count as the best.
        if (devExamples.Count == 0) throw new ConfigException(EmptyDev(d));
        return new TrainingData(sv, tv, text,
            trainTok.Select(x => Make(x.S, x.T, x.p.S, x.p.T)).ToList(), devExamples, Encode(test), dropped);
    }

    /// <summary>
    /// The raw splits the config names, for <see cref="Corpus.Preparer"/>: files stream (a line that is not valid
    /// UTF-8 drops its pair, counted); the demo task and a seeded TSV split are made in memory first.
    /// </summary>
    public static Corpus.CorpusSource Sources(RunConfig config)
    {
        var d = config.Data;
        static Corpus.SplitSource Listed(string name, List<(string S, string T)> pairs) =>
            new(name, _ => pairs.Select((p, i) => new SentencePair(p.S, p.T, i + 1)));
        if (d.Source == DataSource.Demo || d.Source == DataSource.Tsv)
        {
            var (train, dev, test) = d.Source == DataSource.Demo ? Demo(config) : ReadTsv(d);
            var files = d.Source == DataSource.Tsv ? [Path.Combine(d.Dir, d.Tsv)] : new List<string>();
            return new([Listed("train", train), Listed("dev", dev), Listed("test", test)], files);
        }
        if (d.Train.Length == 0) throw new ConfigException("data.train: required when data.source is files");
        if (d.Dev.Length == 0) throw new ConfigException("data.dev: required when data.source is files");
        var splits = new List<Corpus.SplitSource>();
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

    private static string EmptyDev(DataConfig d) => d.Source switch
    {
        DataSource.Tsv => $"{Path.Combine(d.Dir, d.Tsv)}: data.dev_fraction = {d.DevFraction} holds out no sentence pair; validation needs at least one (raise data.dev_fraction)",
        _ => $"{CorpusSplits.Find(d.Dir, $"{d.Dev}.{d.Src}")}: the dev set (data.dev) has no sentence with tokens; validation needs at least one pair",
    };

    private static List<(string, string)> Read(DataConfig d, string prefix) =>
        ParallelCorpus.ReadAligned(CorpusSplits.Find(d.Dir, $"{prefix}.{d.Src}"), CorpusSplits.Find(d.Dir, $"{prefix}.{d.Trg}"))
            .Select(p => (p.Source, p.Target)).ToList();

    /// <summary>The demo task's splits: three generators forked from the run seed; dev and test exclude every training source.</summary>
    private static (List<(string, string)>, List<(string, string)>, List<(string, string)>) Demo(RunConfig config)
    {
        var d = config.Data;
        var rng = new Tensors.Rng(config.Seed);
        var trainPairs = Attend.Demo.DateTask.GenerateLists(rng.Fork(), d.DemoTrainSize, d.DemoMaxDates);
        var seen = trainPairs.Select(p => p.Source).ToHashSet(StringComparer.Ordinal);
        static List<(string, string)> L(IEnumerable<Attend.Demo.DatePair> ps) => ps.Select(p => (p.Source, p.Target)).ToList();
        return (L(trainPairs), L(Attend.Demo.DateTask.GenerateLists(rng.Fork(), d.DemoDevSize, d.DemoMaxDates, seen)),
            L(Attend.Demo.DateTask.GenerateLists(rng.Fork(), d.DemoTestSize, d.DemoMaxDates, seen)));
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

    /// <summary>Joint BPE over the word-tokenized training sentences of both sides.</summary>
    private static BpeCodes LearnBpe(List<(string S, string T)> train, DataConfig d)
    {
        var words = d.CreateTextSide();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (s, t) in train)
        {
            foreach (var w in words.Words(s)) counts[w] = counts.GetValueOrDefault(w) + 1;
            foreach (var w in words.Words(t)) counts[w] = counts.GetValueOrDefault(w) + 1;
        }
        return BpeLearner.Learn(counts, new BpeLearnOptions(Merges: d.BpeMerges, MinFrequency: d.BpeMinFrequency));
    }

    private static Vocabulary Build(IEnumerable<string[]> sentences, DataConfig d)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var s in sentences)
            foreach (var tok in s) counts[tok] = counts.GetValueOrDefault(tok) + 1;
        return Vocabulary.Build(counts, d.VocabMinFreq, d.VocabMaxSize);
    }
}
