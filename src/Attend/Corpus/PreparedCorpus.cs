using System.Globalization;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Corpus;

/// <summary>
/// A prepared-data folder opened for reading: its manifest, vocabularies and BPE codes, with every shard the
/// manifest lists checked to exist with the recorded size and checksum (the header's; each shard's contents
/// are checked against it when the shard is opened). Anything that does not match is an error naming the
/// file, never a silent wrong batch.
/// </summary>
internal sealed class PreparedCorpus
{
    public string Directory { get; }
    public Manifest Manifest { get; }
    public Vocabulary SourceVocab { get; }
    public Vocabulary TargetVocab { get; }
    public BpeCodes? Bpe { get; }

    private PreparedCorpus(string dir)
    {
        Directory = dir;
        Manifest = Manifest.Load(dir);
        SourceVocab = LoadVocab(Manifest.SourceVocab, Manifest.SourceVocabFingerprint);
        TargetVocab = LoadVocab(Manifest.TargetVocab, Manifest.TargetVocabFingerprint);
        if (Manifest.Bpe is not null)
        {
            string path = Path.Combine(dir, Manifest.Bpe);
            if (!File.Exists(path)) throw new InvalidDataException($"{path}: missing (the manifest lists BPE codes)");
            if (FileHash.Sha256(path) != Manifest.BpeSha256)
                throw new InvalidDataException($"{path}: differs from the codes the corpus was prepared with (SHA-256 mismatch)");
            Bpe = BpeCodes.Load(path);
        }
        if (!Manifest.Splits.ContainsKey("train")) throw new InvalidDataException($"{Path.Combine(dir, Manifest.FileName)}: no train split");
        foreach (var (name, split) in Manifest.Splits)
            foreach (var shard in split.Shards) CheckListed(shard);
    }

    /// <summary>Opens a prepared-data folder (see <see cref="Preparer"/>).</summary>
    public static PreparedCorpus Open(string dir) => new(dir);

    private Vocabulary LoadVocab(string file, string fingerprint)
    {
        string path = Path.Combine(Directory, file);
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: missing (the manifest lists it)");
        var v = Vocabulary.Load(path);
        if (v.Fingerprint != fingerprint) throw new InvalidDataException($"{path}: not the vocabulary the corpus was prepared with (fingerprint mismatch)");
        return v;
    }

    private void CheckListed(ShardEntry shard)
    {
        string path = Path.Combine(Directory, shard.File);
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: missing (the manifest lists it)");
        long bytes = new FileInfo(path).Length;
        if (bytes != shard.Bytes) throw new InvalidDataException($"{path}: {bytes} bytes, the manifest says {shard.Bytes}: the shard is truncated or was replaced; prepare the corpus again");
    }

    /// <summary>The shards of a split, in corpus order.</summary>
    public IReadOnlyList<ShardEntry> Shards(string split) =>
        Manifest.Splits.TryGetValue(split, out var s) ? s.Shards : [];

    /// <summary>Opens one shard of the folder and checks it against the manifest's entry (size, pairs, checksum).</summary>
    public ShardReader OpenShard(ShardEntry entry, bool verify = true)
    {
        string path = Path.Combine(Directory, entry.File);
        var reader = ShardReader.Open(path, verify);
        if (reader.Count != entry.Pairs || reader.Header.Checksum.ToString("x16", CultureInfo.InvariantCulture) != entry.Xxh3)
        {
            reader.Dispose();
            throw new InvalidDataException($"{path}: does not match the manifest (pairs or checksum): it belongs to another preparation; prepare the corpus again");
        }
        return reader;
    }

    /// <summary>
    /// Every pair of a held-out split with its raw text (dev and test are small and read whole): ids, then the
    /// source and target lines as they were in the corpus.
    /// </summary>
    public List<(int[] Source, int[] Target, string SourceText, string TargetText)> ReadHeldOut(string split)
    {
        if (!Manifest.Splits.TryGetValue(split, out var entry)) return [];
        string[] Lines(string? file) => TextFile.ReadLines(Path.Combine(Directory, file ?? throw new InvalidDataException($"{split}: no raw text listed")))
            .Select(l => l.Text).ToArray();
        var srcLines = Lines(entry.SourceText);
        var trgLines = Lines(entry.TargetText);
        var pairs = new List<(int[], int[], string, string)>();
        foreach (var shard in entry.Shards)
        {
            using var reader = OpenShard(shard);
            for (int i = 0; i < reader.Count; i++)
            {
                var (s, t) = reader.Pair(i);
                pairs.Add((s, t, "", ""));
            }
        }
        if (srcLines.Length != pairs.Count || trgLines.Length != pairs.Count)
            throw new InvalidDataException($"{Path.Combine(Directory, entry.SourceText!)}: {srcLines.Length} lines for {pairs.Count} pairs in its shard");
        for (int i = 0; i < pairs.Count; i++) pairs[i] = (pairs[i].Item1, pairs[i].Item2, srcLines[i], trgLines[i]);
        return pairs;
    }
}
