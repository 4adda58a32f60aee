using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Attend.Config;
using Attend.Text;

namespace Attend.Corpus;

/// <summary>One split to prepare: its name (<c>train</c>, <c>dev</c>, <c>test</c>) and how to stream its raw pairs.</summary>
public sealed record SplitSource(string Name, Func<CorpusReport, IEnumerable<SentencePair>> Read);

/// <summary>Where a corpus comes from: its splits, training first, and the files they read (for the manifest).</summary>
public sealed record CorpusSource(IReadOnlyList<SplitSource> Splits, IReadOnlyList<string> Files);

/// <summary>
/// Knobs of <see cref="Preparer.Run"/>: worker threads (0 = every core), pairs per training shard, and BPE codes
/// or vocabularies to reuse instead of learning them (a resumed run keeps its own).
/// </summary>
public sealed record PrepareOptions(int Threads = 0, int ShardPairs = 1_000_000, BpeCodes? Bpe = null,
    Vocabulary? SourceVocab = null, Vocabulary? TargetVocab = null);

/// <summary>
/// Turns raw parallel text into a prepared-data folder (<see cref="Manifest"/>, vocabularies, BPE codes,
/// <see cref="ShardFile"/> shards) in streaming passes whose memory does not grow with the corpus:
/// (1) with BPE to learn, word counts of the training split; (2) the training split tokenized, segmented,
/// filtered and written as shards of provisional ids while the tokens are counted; the vocabularies are built
/// from those counts; (3) the shards remapped to vocabulary ids, and the held-out splits written with them.
/// Tokenizing runs on every core (chunks in order, so the output is the same for any thread count).
/// The ids are those <c>TrainingData</c> computes in memory: the same pairs kept, in the same order.
/// </summary>
public static class Preparer
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

        var bpe = o.Bpe;
        if (bpe is null && d.BpeMerges > 0)
        {
            var counts = CountWords(d, train, threads);
            bpe = BpeLearner.Learn(counts, new BpeLearnOptions(Merges: d.BpeMerges, MinFrequency: d.BpeMinFrequency));
            note($"bpe: {bpe.Merges.Count} merges learned from {counts.Count} distinct words ({clock.Elapsed.TotalSeconds:F1} s)");
        }
        if (bpe is not null) bpe.Save(Path.Combine(outDir, TextSide.CodesFile));

        var (trainEntry, srcIds, trgIds, temps) = WriteProvisional(d, train, bpe, outDir, o.ShardPairs, threads, note, clock);
        var sv = o.SourceVocab ?? Vocabulary.Build(srcIds.Counts(), d.VocabMinFreq, d.VocabMaxSize);
        var tv = o.TargetVocab ?? Vocabulary.Build(trgIds.Counts(), d.VocabMinFreq, d.VocabMaxSize);
        sv.Save(Path.Combine(outDir, "src.vocab"));
        tv.Save(Path.Combine(outDir, "trg.vocab"));
        int idBytes = Math.Max(sv.Count, tv.Count) <= ushort.MaxValue + 1 ? 2 : 4;
        var splits = new Dictionary<string, SplitEntry> { ["train"] = Remap(trainEntry, temps, srcIds.RemapTo(sv), trgIds.RemapTo(tv), idBytes, outDir) };
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
            BpeSha256 = bpe is null ? null : Sha256(Path.Combine(outDir, TextSide.CodesFile)),
            Splits = splits,
        };
        manifest.Save(outDir);
        double rate = trainEntry.Pairs / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        note($"prepared {outDir} in {clock.Elapsed.TotalSeconds:F1} s ({rate:F0} training pairs/s)");
        return manifest;
    }

    /// <summary>Pass 1: word counts of both sides of the training split (what joint BPE learns from).</summary>
    private static Dictionary<string, long> CountWords(DataConfig d, SplitSource train, int threads)
    {
        var local = new ThreadLocal<TextSide>(() => d.CreateTextSide());
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        var pairs = train.Read(new CorpusReport());
        foreach (var part in OrderedParallel.Map(OrderedParallel.Chunks(pairs, ChunkPairs), chunk =>
                 {
                     var text = local.Value!;
                     var counts = new Dictionary<string, long>(StringComparer.Ordinal);
                     foreach (var p in chunk)
                     {
                         foreach (var w in text.Words(p.Source)) counts[w] = counts.GetValueOrDefault(w) + 1;
                         foreach (var w in text.Words(p.Target)) counts[w] = counts.GetValueOrDefault(w) + 1;
                     }
                     return counts;
                 }, 2 * threads))
            foreach (var (w, c) in part) total[w] = total.GetValueOrDefault(w) + c;
        return total;
    }

    /// <summary>Both sides of a chunk of pairs as model tokens (tokenized and BPE-segmented), on a pool thread.</summary>
    private static IEnumerable<(SentencePair Pair, string[] S, string[] T)[]> Tokenized(DataConfig d, BpeCodes? bpe, IEnumerable<SentencePair> pairs, int threads)
    {
        var local = new ThreadLocal<TextSide>(() => d.CreateTextSide(bpe));
        return OrderedParallel.Map(OrderedParallel.Chunks(pairs, ChunkPairs),
            chunk => chunk.Select(p => (p, local.Value!.Tokenize(p.Source), local.Value!.Tokenize(p.Target))).ToArray(), 2 * threads);
    }

    /// <summary>Pass 2: the training split as shards of provisional ids, with the tokens counted.</summary>
    private static (SplitEntry, ProvisionalIds, ProvisionalIds, List<string>) WriteProvisional(DataConfig d, SplitSource train, BpeCodes? bpe,
        string outDir, int shardPairs, int threads, Action<string> note, Stopwatch clock)
    {
        var report = new CorpusReport();
        var (srcIds, trgIds) = (new ProvisionalIds(), new ProvisionalIds());
        var temps = new List<string>();
        long empty = 0, tooLong = 0, pairs = 0, srcTokens = 0, trgTokens = 0;
        int[] s = new int[16], t = new int[16];
        ShardWriter? writer = null;
        try
        {
            foreach (var chunk in Tokenized(d, bpe, train.Read(report), threads))
                foreach (var (_, st, tt) in chunk)
                {
                    if (st.Length == 0 || tt.Length == 0) { empty++; continue; }
                    if (st.Length > d.MaxLength || tt.Length > d.MaxLength) { tooLong++; continue; }
                    if (writer is null)
                    {
                        temps.Add(Path.Combine(outDir, $"train-{temps.Count:D5}.provisional"));
                        writer = new ShardWriter(temps[^1], idBytes: 4);
                    }
                    if (s.Length < st.Length) s = new int[st.Length];
                    if (t.Length < tt.Length) t = new int[tt.Length];
                    srcIds.Map(st, s);
                    trgIds.Map(tt, t);
                    writer.Append(s.AsSpan(0, st.Length), t.AsSpan(0, tt.Length));
                    (pairs, srcTokens, trgTokens) = (pairs + 1, srcTokens + st.Length, trgTokens + tt.Length);
                    if (writer.Pairs == shardPairs)
                    {
                        writer.Complete();
                        writer.Dispose();
                        writer = null;
                        note($"train: shard {temps.Count - 1} tokenized, {pairs} pairs so far ({pairs / clock.Elapsed.TotalSeconds:F0} pairs/s)");
                    }
                }
            writer?.Complete();
        }
        finally { writer?.Dispose(); }
        if (pairs == 0) throw new ConfigException($"data: no training pairs left after dropping {empty + tooLong + report.Skipped} (empty, or longer than data.max_length = {d.MaxLength})");
        var entry = new SplitEntry
        {
            Pairs = pairs, SourceTokens = srcTokens, TargetTokens = trgTokens,
            Dropped = new DroppedPairs { Empty = empty + report.EmptySource + report.EmptyTarget, TooLong = tooLong, InvalidUtf8 = report.InvalidUtf8 },
        };
        return (entry, srcIds, trgIds, temps);
    }

    /// <summary>Pass 3: each provisional shard rewritten with vocabulary ids (and 16-bit ids where they fit).</summary>
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

    private static SourceFile Describe(string path) => new(path, new FileInfo(path).Length, Sha256(path));

    private static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    /// <summary>The <c>data</c> keys, snake_case, as the manifest records them (what shaped the ids).</summary>
    public static Dictionary<string, string> Shaping(DataConfig d) =>
        typeof(DataConfig).GetProperties().Where(p => p.GetIndexParameters().Length == 0)
            .ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name),
                p => Convert.ToString(p.GetValue(d), CultureInfo.InvariantCulture) ?? "");
}
