using System.Globalization;

namespace Attend.Evaluation.Alignment;

/// <summary>Pharaoh format: one line per sentence, space-separated 0-based <c>source-target</c> links.</summary>
internal static class Pharaoh
{
    public static string Format(IEnumerable<AlignmentLink> links) =>
        string.Join(' ', links.OrderBy(l => l.Target).ThenBy(l => l.Source).Select(l => l.ToString()));

    public static List<List<AlignmentLink>> Read(string path)
    {
        var lines = SegmentFile.Read(path);
        var result = new List<List<AlignmentLink>>(lines.Count);
        for (int i = 0; i < lines.Count; i++) result.Add(ParseLine(lines[i], path, i + 1));
        return result;
    }

    public static List<AlignmentLink> ParseLine(string line, string file, int lineNo)
    {
        var links = new List<AlignmentLink>();
        foreach (var tok in PyText.Split(line))
        {
            var (a, b, _) = ParsePair(tok, file, lineNo, '-');
            links.Add(new AlignmentLink(a, b));
        }
        return links;
    }

    /// <summary>Parses <c>a&lt;sep&gt;b</c> where sep is '-' (sure) or one of <paramref name="possibleSeps"/>.</summary>
    internal static (int A, int B, bool Sure) ParsePair(string tok, string file, int lineNo, char sureSep, string possibleSeps = "")
    {
        int k = tok.IndexOf(sureSep);
        bool sure = k > 0;
        if (!sure)
        {
            k = tok.IndexOfAny(possibleSeps.ToCharArray());
            if (k <= 0) throw new EvaluationInputException($"{file}:{lineNo}: bad alignment link '{tok}'");
        }
        if (!int.TryParse(tok.AsSpan(0, k), NumberStyles.None, CultureInfo.InvariantCulture, out int a)
            || !int.TryParse(tok.AsSpan(k + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int b))
            throw new EvaluationInputException($"{file}:{lineNo}: bad alignment link '{tok}'");
        return (a, b, sure);
    }
}
