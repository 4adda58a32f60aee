namespace Attend.Text;

/// <summary>One sentence pair and the 1-based line it came from (in both files, or in the TSV file).</summary>
internal sealed record SentencePair(string Source, string Target, long Line);

/// <summary>What a reader skipped. Filled while streaming, so read it after the enumeration finished.</summary>
internal sealed class CorpusReport
{
    public long LinesRead { get; internal set; }
    public long Kept { get; internal set; }
    public long EmptySource { get; internal set; }
    public long EmptyTarget { get; internal set; }
    /// <summary>Pairs with a line that is not valid UTF-8 on either side (counted only by readers that pass them on).</summary>
    public long InvalidUtf8 { get; internal set; }
    public long Skipped => EmptySource + EmptyTarget + InvalidUtf8;

    public override string ToString() =>
        $"{LinesRead} lines read, {Kept} pairs kept, {Skipped} skipped (empty source {EmptySource}, empty target {EmptyTarget})";

    // A pair with an empty side is skipped and counted, never passed on: models cannot learn from it.
    internal bool Accept(string source, string target)
    {
        LinesRead++;
        bool emptySource = string.IsNullOrWhiteSpace(source), emptyTarget = string.IsNullOrWhiteSpace(target);
        if (emptySource) EmptySource++;
        else if (emptyTarget) EmptyTarget++;
        else { Kept++; return true; }
        return false;
    }
}

/// <summary>Readers for parallel corpora as users have them: two line-aligned files, or tab-separated pairs.</summary>
internal static class ParallelCorpus
{
    /// <summary>
    /// Streams two line-aligned files (plain or gzip) in lockstep; each file is read once. When one file ends
    /// before the other, the error names both files and both line counts (the longer file is counted to its end).
    /// With <paramref name="dropInvalid"/>, a pair with a line that is not valid UTF-8 is dropped and counted in
    /// the report instead of being an error.
    /// </summary>
    public static IEnumerable<SentencePair> ReadAligned(string sourcePath, string targetPath, CorpusReport? report = null, bool dropInvalid = false)
    {
        report ??= new CorpusReport();
        using var src = TextFile.ReadLines(sourcePath, dropInvalid).GetEnumerator();
        using var tgt = TextFile.ReadLines(targetPath, dropInvalid).GetEnumerator();
        long n = 0;
        while (true)
        {
            bool hasSrc = src.MoveNext(), hasTgt = tgt.MoveNext();
            if (!hasSrc && !hasTgt) yield break;
            if (hasSrc != hasTgt)
            {
                long srcCount = n + (hasSrc ? CountRest(src) : 0);
                long tgtCount = n + (hasTgt ? CountRest(tgt) : 0);
                throw new TextDataException(
                    $"line counts differ: {sourcePath} has {srcCount} lines, {targetPath} has {tgtCount} lines");
            }
            n++;
            if (!src.Current.IsValidUtf8 || !tgt.Current.IsValidUtf8) { report.LinesRead++; report.InvalidUtf8++; continue; }
            if (report.Accept(src.Current.Text, tgt.Current.Text))
                yield return new SentencePair(src.Current.Text, tgt.Current.Text, n);
        }
    }

    private static long CountRest(IEnumerator<TextLine> lines)
    {
        long count = 1;
        while (lines.MoveNext()) count++;
        return count;
    }

    /// <summary>
    /// Streams tab-separated pairs such as Tatoeba's <c>English&lt;TAB&gt;French[&lt;TAB&gt;attribution]</c>;
    /// the columns (0-based) say which field is the source and which the target.
    /// </summary>
    public static IEnumerable<SentencePair> ReadTsv(string path, int sourceColumn = 0, int targetColumn = 1, CorpusReport? report = null)
    {
        if (sourceColumn < 0 || targetColumn < 0 || sourceColumn == targetColumn)
            throw new ArgumentException($"source column {sourceColumn} and target column {targetColumn} must be distinct and >= 0");
        report ??= new CorpusReport();
        int needed = Math.Max(sourceColumn, targetColumn) + 1;
        foreach (var line in TextFile.ReadLines(path))
        {
            var fields = line.Text.Split('\t');
            if (fields.Length < needed)
            {
                if (string.IsNullOrWhiteSpace(line.Text)) { report.Accept("", ""); continue; }
                throw new TextDataException($"expected at least {needed} tab-separated fields, found {fields.Length}", path, line.Number);
            }
            if (report.Accept(fields[sourceColumn], fields[targetColumn]))
                yield return new SentencePair(fields[sourceColumn], fields[targetColumn], line.Number);
        }
    }
}
