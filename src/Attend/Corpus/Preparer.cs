using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Attend.Config;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Corpus;

/// <summary>One split to prepare: its name (<c>train</c>, <c>dev</c>, <c>test</c>) and how to stream its raw pairs.</summary>
internal sealed record SplitSource(string Name, Func<CorpusReport, IEnumerable<SentencePair>> Read);

/// <summary>Where a corpus comes from: its splits, training first, and the files they read (for the manifest).</summary>
internal sealed record CorpusSource(IReadOnlyList<SplitSource> Splits, IReadOnlyList<string> Files);

/// <summary>
/// Knobs of <see cref="Preparer.Run"/>: worker threads (0 = every core), pairs per training shard, and BPE codes
/// or vocabularies to reuse instead of learning them (a resumed run keeps its own).
/// </summary>
internal sealed record PrepareOptions(int Threads = 0, int ShardPairs = 1_000_000, BpeCodes? Bpe = null,
    Vocabulary? SourceVocab = null, Vocabulary? TargetVocab = null);

/// <summary>
/// Turns raw parallel text into a prepared-data folder (<see cref="Manifest"/>, vocabularies, BPE codes,
/// <see cref="ShardFile"/> shards) in passes whose memory does not grow with the corpus (word and subword counts
/// only): <see cref="WordPass"/> reads the training text once, tokenizing on every core into shards of word
/// ids; joint BPE is learned from the word counts; <see cref="SubwordPass"/> segments each distinct word once and
/// rewrites the pairs as subword ids, counting them; the vocabularies are built from those counts; the last pass
/// maps the shards to vocabulary ids, and the held-out splits are written with them. The output does not depend
/// on the thread count. The ids are those <c>TrainingData</c> computed in memory: the same pairs kept, in the
/// same order.
/// </summary>
internal static class Preparer
{
    private const int ChunkPairs = 2048;

    public static Manifest Run(DataConfig d, CorpusSource source, string outDir, PrepareOptions? options = null, Action<string>? note = null)
    {
        var o = options ?? new PrepareOptions();
        if (o.ShardPairs <= 0) throw new ArgumentOutOfRangeException(nameof(options), "pairs per shard must be positive");
        int threads = o.Threads > 0 ? o.Threads : Environment.ProcessorCount;
        note ??= _ => { };
        Directory.CreateDirectory(outDir);
        var clock = Stopwatch.StartNew();
        var sources = Task.Run(() => source.Files.Select(Describe).ToList());
        var train = source.Splits.FirstOrDefault(s => s.Name == "train") ?? throw new ArgumentException("a corpus needs a train split");

        var words = new WordPass();
        words.Run(d, train, outDir, o.ShardPairs, threads, note, clock);
        note($"train: {words.Pairs + words.Empty + words.TooLong} pairs tokenized ({clock.Elapsed.TotalSeconds:F1} s)");
        var bpe = o.Bpe;
        if (bpe is null && d.BpeMerges > 0)
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            var all = words.Words();
            for (int w = 0; w < all.Length; w++)
                if (all[w] is string word) counts[word] = words.SourceCount(w) + words.TargetCount(w);
            bpe = BpeLearner.Learn(counts, new BpeLearnOptions(Merges: d.BpeMerges, MinFrequency: d.BpeMinFrequency));
            note($"bpe: {bpe.Merges.Count} merges learned from {counts.Count} distinct words ({clock.Elapsed.TotalSeconds:F1} s)");
        }
        if (bpe is not null) bpe.Save(Path.Combine(outDir, TextSide.CodesFile));

        var subwords = new SubwordPass();
        subwords.Run(words, bpe, d.MaxLength, outDir, o.ShardPairs);
        var report = words.Report;
        var trainEntry = new SplitEntry
        {
            Pairs = subwords.Pairs, SourceTokens = subwords.SourceTokens, TargetTokens = subwords.TargetTokens,
            Dropped = new DroppedPairs
            {
                Empty = words.Empty + report.EmptySource + report.EmptyTarget, TooLong = words.TooLong + subwords.TooLong,
                InvalidUtf8 = report.InvalidUtf8,
            },
        };
        if (trainEntry.Pairs == 0)
            throw new ConfigException($"data: no training pairs left after dropping {trainEntry.Dropped.Total} (empty, or longer than data.max_length = {d.MaxLength})");
        var temps = subwords.Shards;
        var sv = o.SourceVocab ?? Vocabulary.Build(subwords.Counts(source: true), d.VocabMinFreq, d.VocabMaxSize);
        var tv = o.TargetVocab ?? Vocabulary.Build(subwords.Counts(source: false), d.VocabMinFreq, d.VocabMaxSize);
        sv.Save(Path.Combine(outDir, "src.vocab"));
        tv.Save(Path.Combine(outDir, "trg.vocab"));
        int idBytes = Math.Max(sv.Count, tv.Count) <= ushort.MaxValue + 1 ? 2 : 4;
        var splits = new Dictionary<string, SplitEntry> { ["train"] = Remap(trainEntry, temps, subwords.RemapTo(sv), subwords.RemapTo(tv), idBytes, outDir) };
        note($"train: {trainEntry.Pairs} pairs in {temps.Count} shard(s), {trainEntry.Dropped.Total} dropped; vocabularies {sv.Count} / {tv.Count} ({clock.Elapsed.TotalSeconds:F1} s)");

        foreach (var split in source.Splits.Where(s => s.Name != "train"))
        {
            splits[split.Name] = WriteHeldOut(d, split, bpe, sv, tv, idBytes, outDir, threads);
            note($"{split.Name}: {splits[split.Name].Pairs} pairs, {splits[split.Name].Dropped.Total} dropped");
        }
        var manifest = new Manifest
        {
            Created = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            Config = Shaping(d), Sources = sources.Result, IdBytes = idBytes,
            SourceVocabFingerprint = sv.Fingerprint, TargetVocabFingerprint = tv.Fingerprint,
            Bpe = bpe is null ? null : TextSide.CodesFile,
            BpeSha256 = bpe is null ? null : FileHash.Sha256(Path.Combine(outDir, TextSide.CodesFile)),
            Splits = splits,
        };
        manifest.Save(outDir);
        double rate = trainEntry.Pairs / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        note($"prepared {outDir} in {clock.Elapsed.TotalSeconds:F1} s ({rate:F0} training pairs/s)");
        return manifest;
    }

    /// <summary>Both sides of a chunk of pairs as model tokens (tokenized and BPE-segmented), on a pool thread.</summary>
    private static IEnumerable<(SentencePair Pair, string[] S, string[] T)[]> Tokenized(DataConfig d, BpeCodes? bpe, IEnumerable<SentencePair> pairs, int threads)
    {
        var local = new ThreadLocal<TextSide>(() => d.CreateTextSide(bpe));
        return OrderedParallel.Map(OrderedParallel.Chunks(pairs, ChunkPairs),
            chunk => chunk.Select(p => (p, local.Value!.Tokenize(p.Source), local.Value!.Tokenize(p.Target))).ToArray(), 2 * threads);
    }

    /// <summary>Last pass: each provisional shard rewritten with vocabulary ids (and 16-bit ids where they fit).</summary>
    private static SplitEntry Remap(SplitEntry entry, List<string> temps, int[] srcMap, int[] trgMap, int idBytes, string outDir)
    {
        var shards = new List<ShardEntry>();
        foreach (var temp in temps)
        {
            string file = Path.GetFileNameWithoutExtension(temp) + ".shard";
            using (var reader = ShardReader.Open(temp, verify: false))
            using (var writer = new ShardWriter(Path.Combine(outDir, file), idBytes))
            {
                for (int i = 0; i < reader.Count; i++)
                {
                    var (s, t) = reader.Pair(i);
                    for (int k = 0; k < s.Length; k++) s[k] = srcMap[s[k]];
                    for (int k = 0; k < t.Length; k++) t[k] = trgMap[t[k]];
                    writer.Append(s, t);
                }
                var h = writer.Complete();
                shards.Add(Entry(outDir, file, h));
            }
            File.Delete(temp);
        }
        return entry with { Shards = shards };
    }

    /// <summary>A held-out split: one shard of vocabulary ids and its kept pairs' raw text (NAME.src, NAME.trg).</summary>
    private static SplitEntry WriteHeldOut(DataConfig d, SplitSource split, BpeCodes? bpe, Vocabulary sv, Vocabulary tv, int idBytes, string outDir, int threads)
    {
        var report = new CorpusReport();
        string file = split.Name + ".shard", srcText = split.Name + ".src", trgText = split.Name + ".trg";
        long empty = 0, pairs = 0, srcTokens = 0, trgTokens = 0;
        ShardFile.Header h;
        using (var writer = new ShardWriter(Path.Combine(outDir, file), idBytes))
        using (var src = new StreamWriter(Path.Combine(outDir, srcText + ".tmp")))
        using (var trg = new StreamWriter(Path.Combine(outDir, trgText + ".tmp")))
        {
            foreach (var chunk in Tokenized(d, bpe, split.Read(report), threads))
                foreach (var (p, st, tt) in chunk)
                {
                    // As in training's in-memory path: a held-out pair is kept unless its source has no token.
                    if (st.Length == 0) { empty++; continue; }
                    writer.Append(sv.Encode(st), tv.Encode(tt));
                    src.Write(p.Source); src.Write('\n');
                    trg.Write(p.Target); trg.Write('\n');
                    (pairs, srcTokens, trgTokens) = (pairs + 1, srcTokens + st.Length, trgTokens + tt.Length);
                }
            h = writer.Complete();
        }
        File.Move(Path.Combine(outDir, srcText + ".tmp"), Path.Combine(outDir, srcText), overwrite: true);
        File.Move(Path.Combine(outDir, trgText + ".tmp"), Path.Combine(outDir, trgText), overwrite: true);
        return new SplitEntry
        {
            Pairs = pairs, SourceTokens = srcTokens, TargetTokens = trgTokens, Shards = [Entry(outDir, file, h)],
            Dropped = new DroppedPairs { Empty = empty + report.EmptySource + report.EmptyTarget, InvalidUtf8 = report.InvalidUtf8 },
            SourceText = srcText, TargetText = trgText,
        };
    }

    private static ShardEntry Entry(string dir, string file, ShardFile.Header h) =>
        new(file, h.Pairs, new FileInfo(Path.Combine(dir, file)).Length, h.Checksum.ToString("x16", CultureInfo.InvariantCulture));

    private static SourceFile Describe(string path) => new(path, new FileInfo(path).Length, FileHash.Sha256(path));

    /// <summary>The <c>data</c> keys, snake_case, as the manifest records them (what shaped the ids).</summary>
    public static Dictionary<string, string> Shaping(DataConfig d) =>
        typeof(DataConfig).GetProperties().Where(p => p.GetIndexParameters().Length == 0)
            .ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name),
                p => Convert.ToString(p.GetValue(d), CultureInfo.InvariantCulture) ?? "");
}
