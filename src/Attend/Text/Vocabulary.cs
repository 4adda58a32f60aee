using System.Security.Cryptography;
using System.Text;
using Attend.Tensors.IO;

namespace Attend.Text;

/// <summary>
/// Token ↔ id map. Ids 0..3 are the specials <c>&lt;pad&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>,
/// <c>&lt;unk&gt;</c>; the rest are tokens by descending frequency (ties in ordinal order, so a build is
/// deterministic). The file format is one token per line in id order, optionally followed by a tab and its
/// frequency. <see cref="Fingerprint"/> (SHA-256 over the token list) goes into checkpoints so a model never
/// runs with a vocabulary it was not trained with.
/// </summary>
internal sealed class Vocabulary
{
    public const int Pad = 0, Bos = 1, Eos = 2, Unk = 3;
    public static readonly string[] Specials = ["<pad>", "<s>", "</s>", "<unk>"];

    private readonly string[] _tokens;
    private readonly long[] _frequencies;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public int Count => _tokens.Length;
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Frequency of each token in the text it was built from (0 for specials or when unknown).</summary>
    public IReadOnlyList<long> Frequencies => _frequencies;

    /// <summary>Lowercase hex SHA-256 over the tokens in id order, each followed by '\n' (UTF-8).</summary>
    public string Fingerprint { get; }

    private Vocabulary(string[] tokens, long[] frequencies)
    {
        _tokens = tokens;
        _frequencies = frequencies;
        for (int i = 0; i < tokens.Length; i++) _ids[tokens[i]] = i;
        var bytes = Encoding.UTF8.GetBytes(string.Concat(tokens.Select(t => t + "\n")));
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>
    /// Builds from token frequencies: tokens rarer than <paramref name="minFrequency"/> are left out, and at most
    /// <paramref name="maxSize"/> entries are kept including the 4 specials (0 = no limit).
    /// </summary>
    public static Vocabulary Build(IReadOnlyDictionary<string, long> counts, int minFrequency = 1, int maxSize = 0)
    {
        if (maxSize != 0 && maxSize < Specials.Length)
            throw new ArgumentException($"max vocabulary size {maxSize} is smaller than the {Specials.Length} special tokens");
        var kept = counts.Where(kv => kv.Value >= minFrequency && Array.IndexOf(Specials, kv.Key) < 0)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal);
        var list = (maxSize > 0 ? kept.Take(maxSize - Specials.Length) : kept).ToList();
        return new Vocabulary([.. Specials, .. list.Select(kv => kv.Key)], [0, 0, 0, 0, .. list.Select(kv => kv.Value)]);
    }

    /// <summary>Builds from tokenized lines (tokens separated by spaces).</summary>
    public static Vocabulary Build(IEnumerable<string> tokenizedLines, int minFrequency = 1, int maxSize = 0) =>
        Build(BpeLearner.CountWords(tokenizedLines), minFrequency, maxSize);

    public int this[string token] => _ids.TryGetValue(token, out int id) ? id : Unk;
    public string this[int id] => _tokens[id];
    public bool Contains(string token) => _ids.ContainsKey(token);

    public int[] Encode(IReadOnlyList<string> tokens)
    {
        var ids = new int[tokens.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = this[tokens[i]];
        return ids;
    }

    /// <summary>Tokens of ids, stopping at the first <c>&lt;/s&gt;</c> and skipping padding and <c>&lt;s&gt;</c>.</summary>
    public List<string> Decode(IEnumerable<int> ids)
    {
        var tokens = new List<string>();
        foreach (int id in ids)
        {
            if (id == Eos) break;
            if (id is Pad or Bos) continue;
            tokens.Add(_tokens[id]);
        }
        return tokens;
    }

    public void Save(string path, bool withFrequencies = true)
    {
        using var file = AtomicFile.Create(path);
        using (var w = new StreamWriter(file.Stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
            for (int i = 0; i < _tokens.Length; i++)
                w.Write(withFrequencies && i >= Specials.Length ? $"{_tokens[i]}\t{_frequencies[i]}\n" : $"{_tokens[i]}\n");
        file.Commit();
    }

    /// <summary>Loads a vocabulary file; the first four lines must be the specials in order, tokens must be
    /// unique and non-empty without spaces, and a frequency must be a non-negative integer. Errors name the line.</summary>
    public static Vocabulary Load(string path)
    {
        var tokens = new List<string>();
        var freqs = new List<long>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in TextFile.ReadLines(path))
        {
            var fields = line.Text.Split('\t');
            string token = fields[0];
            if (fields.Length > 2) throw Bad($"expected 'token' or 'token<TAB>frequency', found {fields.Length} tab-separated fields");
            if (token.Length == 0) throw Bad("empty token");
            if (token.Contains(' ')) throw Bad($"token '{token}' contains a space");
            long freq = 0;
            if (fields.Length == 2 && (!long.TryParse(fields[1], out freq) || freq < 0))
                throw Bad($"frequency '{fields[1]}' is not a non-negative integer");
            int id = tokens.Count;
            if (id < Specials.Length && token != Specials[id])
                throw Bad($"expected special token '{Specials[id]}' (id {id}), found '{token}'");
            if (!seen.Add(token)) throw Bad($"duplicate token '{token}'");
            tokens.Add(token);
            freqs.Add(freq);

            TextDataException Bad(string message) => new(message, path, line.Number);
        }
        if (tokens.Count < Specials.Length)
            throw new TextDataException($"has {tokens.Count} lines, but the {Specials.Length} special tokens alone need {Specials.Length}", path);
        return new Vocabulary(tokens.ToArray(), freqs.ToArray());
    }
}
