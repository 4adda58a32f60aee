namespace Attend.Evaluation;

/// <summary>
/// Sentence-length buckets from ascending upper edges: edges [10, 20, 30] give 0–10, 11–20, 21–30 and 31+
/// words (inclusive ranges, so the labels never overlap). Lengths are counted in whitespace-separated words of
/// the source sentence, as in Bahdanau et al. (2015), Figure 2.
/// </summary>
internal sealed record LengthBuckets
{
    public static LengthBuckets Default { get; } = new([10, 20, 30, 40, 50]);

    public IReadOnlyList<int> Edges { get; }

    public LengthBuckets(IReadOnlyList<int> edges)
    {
        if (edges.Count == 0) throw new EvaluationInputException("--buckets needs at least one edge");
        for (int i = 0; i < edges.Count; i++)
            if (edges[i] < 0 || (i > 0 && edges[i] <= edges[i - 1]))
                throw new EvaluationInputException($"bucket edges must be ascending non-negative integers, got {string.Join(',', edges)}");
        Edges = edges.ToArray();
    }

    /// <summary>Parses "10,20,30".</summary>
    public static LengthBuckets Parse(string text)
    {
        var edges = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int e))
                throw new EvaluationInputException($"bad bucket edge '{part}' in --buckets {text}");
            edges.Add(e);
        }
        return new LengthBuckets(edges);
    }

    public int Count => Edges.Count + 1;

    public int IndexOf(int length)
    {
        for (int i = 0; i < Edges.Count; i++) if (length <= Edges[i]) return i;
        return Edges.Count;
    }

    /// <summary>Smallest length in bucket <paramref name="i"/>.</summary>
    public int Min(int i) => i == 0 ? 0 : Edges[i - 1] + 1;

    /// <summary>Largest length in bucket <paramref name="i"/>, or null for the open last bucket.</summary>
    public int? Max(int i) => i < Edges.Count ? Edges[i] : null;

    public string Label(int i) => Max(i) is int max ? $"{Min(i)}-{max}" : $"{Min(i)}+";
}
