using System.Text.Json;
using System.Text.Json.Serialization;

namespace Attend.Corpus;

/// <summary>A source file a prepared corpus was made from: its path as given, size and SHA-256.</summary>
internal sealed record SourceFile(string Path, long Bytes, string Sha256);

/// <summary>One shard as the manifest records it: file name, pairs, bytes and the XXH3 checksum (hex).</summary>
internal sealed record ShardEntry(string File, long Pairs, long Bytes, string Xxh3);

/// <summary>Pairs left out of a split, by reason.</summary>
internal sealed record DroppedPairs
{
    /// <summary>A side empty before or after tokenizing.</summary>
    public long Empty { get; init; }
    /// <summary>A side longer than <c>data.max_length</c> tokens (training split only).</summary>
    public long TooLong { get; init; }
    /// <summary>A line that is not valid UTF-8.</summary>
    public long InvalidUtf8 { get; init; }

    public long Total => Empty + TooLong + InvalidUtf8;
}

/// <summary>One split of a prepared corpus: its shards, counts, what was dropped, and its raw text files.</summary>
internal sealed record SplitEntry
{
    public long Pairs { get; init; }
    public long SourceTokens { get; init; }
    public long TargetTokens { get; init; }
    public DroppedPairs Dropped { get; init; } = new();
    public IReadOnlyList<ShardEntry> Shards { get; init; } = [];
    /// <summary>The kept pairs' raw text (held-out splits only: BLEU and samples need it), e.g. <c>dev.src</c>.</summary>
    public string? SourceText { get; init; }
    public string? TargetText { get; init; }
}

/// <summary>
/// <c>manifest.json</c> of a prepared-data folder: what went in (source files, the data keys that shaped it),
/// what came out (vocabularies, BPE codes, shards per split), and what was dropped. A reader trusts no shard the
/// manifest does not list with the same size and checksum.
/// </summary>
internal sealed record Manifest
{
    public const string FileName = "manifest.json", Format = "attend-prepared";
    public const int CurrentVersion = 1;

    [JsonPropertyName("format")] public string FormatName { get; init; } = Format;
    public int Version { get; init; } = CurrentVersion;
    public string Created { get; init; } = "";
    /// <summary>The <c>data</c> keys that shape the ids (tokenizer, BPE, vocabulary, lengths, splits), as YAML values.</summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<SourceFile> Sources { get; init; } = [];
    public int IdBytes { get; init; }
    public string SourceVocab { get; init; } = "src.vocab";
    public string TargetVocab { get; init; } = "trg.vocab";
    public string SourceVocabFingerprint { get; init; } = "";
    public string TargetVocabFingerprint { get; init; } = "";
    /// <summary>The BPE codes' file name, or null without BPE.</summary>
    public string? Bpe { get; init; }
    public string? BpeSha256 { get; init; }
    public IReadOnlyDictionary<string, SplitEntry> Splits { get; init; } = new Dictionary<string, SplitEntry>();

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public void Save(string dir)
    {
        string path = System.IO.Path.Combine(dir, FileName), temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }

    public static Manifest Load(string dir)
    {
        string path = System.IO.Path.Combine(dir, FileName);
        if (!File.Exists(path)) throw new InvalidDataException($"{dir}: not a prepared-data folder (no {FileName}); make one with `attend prepare CONFIG --out {dir}`");
        Manifest? m;
        try { m = JsonSerializer.Deserialize<Manifest>(Tensors.IO.InputFile.ReadAllBytes(path, 64 << 20, "a manifest"), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: damaged manifest ({e.Message})"); }
        if (m is null || m.FormatName != Format) throw new InvalidDataException($"{path}: not a manifest of a prepared corpus");
        if (m.Version != CurrentVersion) throw new InvalidDataException($"{path}: prepared-data version {m.Version}, this Attend reads version {CurrentVersion}; prepare the corpus again");
        return m;
    }
}
