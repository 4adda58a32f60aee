namespace Attend.Evaluation.Tokenizers;

/// <summary>
/// sacreBLEU's default tokenizer (mteval-v13a). The entity unescaping order matters:
/// <c>&amp;amp;quot;</c> becomes the literal <c>&amp;quot;</c> (quot is replaced before amp), while
/// <c>&amp;amp;lt;</c> becomes <c>&lt;</c> (amp before lt). <c>&amp;apos;</c> and numeric entities stay.
/// </summary>
internal static class Tokenizer13a
{
    public static string Tokenize(string line)
    {
        line = line.Replace("<skipped>", "", StringComparison.Ordinal)
                   .Replace("-\n", "", StringComparison.Ordinal)
                   .Replace("\n", " ", StringComparison.Ordinal);
        if (line.Contains('&'))
        {
            line = line.Replace("&quot;", "\"", StringComparison.Ordinal)
                       .Replace("&amp;", "&", StringComparison.Ordinal)
                       .Replace("&lt;", "<", StringComparison.Ordinal)
                       .Replace("&gt;", ">", StringComparison.Ordinal);
        }
        return WesternRules.Apply(" " + line + " ");
    }
}
