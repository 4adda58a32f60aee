using Attend.Tensors.IO;

namespace Attend.Text;

/// <summary>
/// An ordered list of BPE merges in subword-nmt's codes format (version 0.2): a first line <c>#version: 0.2</c>,
/// then one merge per line, the two symbols separated by one space, the end of a word written as a <c>&lt;/w&gt;</c>
/// suffix on the last symbol (e.g. <c>e s&lt;/w&gt;</c>). Earlier merges have priority.
/// </summary>
internal sealed class BpeCodes
{
    public const string Header = "#version: 0.2";
    public const string EndOfWord = "</w>";

    private readonly Dictionary<(string, string), int> _ranks = new();

    // The same merges over interned symbol ids, for the segmenter's inner loop: pair (left id, right id) packed in
    // a long → (rank, id of the merged symbol); single characters (with and without </w>) by code point.
    internal readonly List<string> Symbols = new();
    internal readonly Dictionary<long, (int Rank, int Merged)> PairMerges = new();
    internal readonly Dictionary<int, int> CharIds = new();
    internal readonly Dictionary<int, int> FinalCharIds = new();
    private readonly Dictionary<string, int> _symbolIds = new(StringComparer.Ordinal);

    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    public BpeCodes(IReadOnlyList<(string Left, string Right)> merges)
    {
        Merges = merges;
        // Like subword-nmt, a pair listed twice keeps its first (highest-priority) rank.
        for (int i = 0; i < merges.Count; i++)
        {
            if (!_ranks.TryAdd(merges[i], i)) continue;
            var (left, right) = merges[i];
            PairMerges[PairKey(Intern(left), Intern(right))] = (i, Intern(left + right));
        }
    }

    internal static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    private int Intern(string symbol)
    {
        if (_symbolIds.TryGetValue(symbol, out int id)) return id;
        id = Symbols.Count;
        Symbols.Add(symbol);
        _symbolIds[symbol] = id;
        bool final = symbol.EndsWith(EndOfWord, StringComparison.Ordinal);
        string body = final ? symbol[..^EndOfWord.Length] : symbol;
        if (body.Length > 0 && System.Text.Rune.TryGetRuneAt(body, 0, out var rune) && rune.Utf16SequenceLength == body.Length)
            (final ? FinalCharIds : CharIds)[rune.Value] = id;
        return id;
    }

    /// <summary>The priority of a merge (lower merges first), or -1 when there is no such merge.</summary>
    public int Rank(string left, string right) => _ranks.TryGetValue((left, right), out int r) ? r : -1;

    public void Write(TextWriter writer)
    {
        writer.Write(Header + "\n");
        foreach (var (left, right) in Merges) writer.Write($"{left} {right}\n");
    }

    public void Save(string path)
    {
        using var file = AtomicFile.Create(path);
        using (var writer = new StreamWriter(file.Stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true))
            Write(writer);
        file.Commit();
    }

    /// <summary>Reads a codes file (plain or gzip); anything malformed is an error naming the line.</summary>
    public static BpeCodes Load(string path)
    {
        var merges = new List<(string, string)>();
        bool header = false;
        foreach (var line in TextFile.ReadLines(path))
        {
            if (!header)
            {
                if (line.Text.Trim() != Header)
                    throw new TextDataException($"expected the subword-nmt header '{Header}', found '{Clip(line.Text)}'", path, line.Number);
                header = true;
                continue;
            }
            var parts = line.Text.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0 || parts[0].Contains('\t') || parts[1].Contains('\t'))
                throw new TextDataException($"expected two symbols separated by one space, found '{Clip(line.Text)}'", path, line.Number);
            merges.Add((parts[0], parts[1]));
        }
        if (!header) throw new TextDataException($"empty codes file (expected the header '{Header}')", path, 1);
        return new BpeCodes(merges);
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "...";
}
