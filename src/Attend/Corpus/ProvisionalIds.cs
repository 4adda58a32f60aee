namespace Attend.Corpus;

/// <summary>
/// Token strings → ids in order of first sight, with a count per token: the training split is written with
/// these ids while it streams (the vocabulary cannot be built before every pair has been seen), then remapped
/// to the vocabulary's ids in one pass over the binary shards. Memory holds one entry per distinct token.
/// </summary>
internal sealed class ProvisionalIds
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _tokens = [];
    private readonly List<long> _counts = [];

    public int Count => _tokens.Count;

    /// <summary>Writes the ids of <paramref name="tokens"/> into <paramref name="ids"/> and counts each token.</summary>
    public void Map(string[] tokens, Span<int> ids)
    {
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!_ids.TryGetValue(tokens[i], out int id))
            {
                id = _tokens.Count;
                _ids.Add(tokens[i], id);
                _tokens.Add(tokens[i]);
                _counts.Add(0);
            }
            _counts[id]++;
            ids[i] = id;
        }
    }

    /// <summary>Every token with its count (the input of <see cref="Text.Vocabulary.Build(IReadOnlyDictionary{string, long}, int, int)"/>).</summary>
    public Dictionary<string, long> Counts()
    {
        var counts = new Dictionary<string, long>(_tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Count; i++) counts[_tokens[i]] = _counts[i];
        return counts;
    }

    /// <summary>For each provisional id, the id <paramref name="vocab"/> gives its token (unknown → &lt;unk&gt;).</summary>
    public int[] RemapTo(Text.Vocabulary vocab)
    {
        var map = new int[_tokens.Count];
        for (int i = 0; i < map.Length; i++) map[i] = vocab[_tokens[i]];
        return map;
    }
}
