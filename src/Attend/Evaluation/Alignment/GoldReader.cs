using System.Globalization;

namespace Attend.Evaluation.Alignment;

/// <summary>Reads the gold alignment formats into 0-based (source, target) links.</summary>
internal static class GoldReader
{
    public static GoldFormat ParseFormat(string name) => name.ToLowerInvariant() switch
    {
        "naacl" or "wpt03" => GoldFormat.Naacl,
        "alibi" => GoldFormat.Alibi,
        "pharaoh" => GoldFormat.Pharaoh,
        _ => throw new EvaluationInputException($"unknown gold format '{name}' (expected naacl, alibi or pharaoh)"),
    };

    public static GoldOrder ParseOrder(string name) => name.ToLowerInvariant() switch
    {
        "source-first" or "st" => GoldOrder.SourceFirst,
        "target-first" or "ts" => GoldOrder.TargetFirst,
        _ => throw new EvaluationInputException($"unknown gold order '{name}' (expected source-first or target-first)"),
    };

    /// <summary>
    /// Reads <paramref name="path"/>. <paramref name="sentences"/> fixes the sentence count (NAACL files only list
    /// sentences that have links); when null it is the highest sentence number seen.
    /// </summary>
    public static GoldAlignments Read(string path, GoldFormat format, GoldOrder order, int? sentences = null)
    {
        if (!File.Exists(path)) throw new EvaluationInputException($"file not found: {path}");
        var lines = SegmentFile.Read(path);
        return format switch
        {
            GoldFormat.Naacl => ReadNaacl(lines, path, order, sentences),
            GoldFormat.Alibi => ReadIndexed(lines, path, order, sentences, indexed: true),
            GoldFormat.Pharaoh => ReadIndexed(lines, path, order, sentences, indexed: false),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }

    private static AlignmentLink Oriented(int first, int second, GoldOrder order) =>
        order == GoldOrder.SourceFirst ? new AlignmentLink(first, second) : new AlignmentLink(second, first);

    // WPT03: "SENT I J S|P", every number 1-based; sentence numbers are zero-padded ("0020").
    private static GoldAlignments ReadNaacl(List<string> lines, string path, GoldOrder order, int? sentences)
    {
        var bySentence = new List<GoldSentence>();
        int sure = 0, possible = 0;
        for (int ln = 0; ln < lines.Count; ln++)
        {
            var f = PyText.Split(lines[ln]);
            if (f.Count == 0) continue;
            if (f.Count is < 3 or > 4
                || !int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int s)
                || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
                || !int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out int j)
                || s < 1 || i < 1 || j < 1)
                throw new EvaluationInputException($"{path}:{ln + 1}: expected 'SENT I J [S|P]' with 1-based numbers, got '{lines[ln]}'");
            // A missing label means sure, as in the original NAACL evaluation script.
            bool isSure = f.Count == 3 || f[3] == "S";
            if (f.Count == 4 && f[3] is not ("S" or "P"))
                throw new EvaluationInputException($"{path}:{ln + 1}: label must be S or P, got '{f[3]}'");
            while (bySentence.Count < s) bySentence.Add(new GoldSentence());
            bySentence[s - 1].Add(Oriented(i - 1, j - 1, order), isSure);
            if (isSure) sure++; else possible++;
        }
        Pad(bySentence, sentences, path);
        return new GoldAlignments(bySentence, sure, possible);
    }

    // ALIBI: "index<TAB>links" with "a-b" sure and "apb" possible; Pharaoh: bare links, "a-b" sure, "a?b" possible.
    private static GoldAlignments ReadIndexed(List<string> lines, string path, GoldOrder order, int? sentences, bool indexed)
    {
        var bySentence = new List<GoldSentence>();
        int sure = 0, possible = 0;
        for (int ln = 0; ln < lines.Count; ln++)
        {
            string content = lines[ln];
            int idx = ln;
            if (indexed)
            {
                int tab = content.IndexOf('\t');
                string head = tab < 0 ? content : content[..tab];
                if (!int.TryParse(head.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out idx))
                    throw new EvaluationInputException($"{path}:{ln + 1}: expected '<index><TAB><links>', got '{content}'");
                content = tab < 0 ? "" : content[(tab + 1)..];
            }
            while (bySentence.Count <= idx) bySentence.Add(new GoldSentence());
            foreach (var tok in PyText.Split(content))
            {
                var (a, b, isSure) = Pharaoh.ParsePair(tok, path, ln + 1, '-', indexed ? "p" : "?p");
                bySentence[idx].Add(Oriented(a, b, order), isSure);
                if (isSure) sure++; else possible++;
            }
        }
        Pad(bySentence, sentences, path);
        return new GoldAlignments(bySentence, sure, possible);
    }

    private static void Pad(List<GoldSentence> list, int? sentences, string path)
    {
        if (sentences is not int n) return;
        if (list.Count > n)
            throw new EvaluationInputException($"{path}: gold has links for sentence {list.Count} but there are only {n} sentences");
        while (list.Count < n) list.Add(new GoldSentence());
    }
}
