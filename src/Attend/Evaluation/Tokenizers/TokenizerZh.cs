using System.Text;

namespace Attend.Evaluation.Tokenizers;

/// <summary>
/// sacreBLEU's <c>tok:zh</c>: strip, put spaces around every "Chinese" character, then the 13a regexes (without
/// 13a's unescaping, &lt;skipped&gt; removal or padding).
/// </summary>
internal static class TokenizerZh
{
    // sacreBLEU's table, with its quirk kept: the Extension B entry is written '\u20000'..'\u2a6d6', which Python
    // reads as two-character strings, so by string comparison every code point from U+2001 to U+2A6D counts
    // (curly quotes, dashes, …, €, U+200B, arrows) and no astral character does. The Compatibility Supplement
    // entry degrades the same way to U+2F81..U+2FA1, already covered by the Kangxi radicals.
    private static readonly (int Lo, int Hi)[] Ranges =
    [
        (0x3400, 0x4DB5), (0x4E00, 0x9FA5), (0x9FA6, 0x9FBB), (0xF900, 0xFA2D), (0xFA30, 0xFA6A),
        (0xFA70, 0xFAD9), (0x2001, 0x2A6D), (0x2F81, 0x2FA1), (0xFF00, 0xFFEF), (0x2E80, 0x2EFF),
        (0x3000, 0x303F), (0x31C0, 0x31EF), (0x2F00, 0x2FDF), (0x2FF0, 0x2FFF), (0x3100, 0x312F),
        (0x31A0, 0x31BF), (0xFE10, 0xFE1F), (0xFE30, 0xFE4F), (0x2600, 0x26FF), (0x2700, 0x27BF),
        (0x3200, 0x32FF), (0x3300, 0x33FF),
    ];

    public static bool IsChinese(int cp)
    {
        foreach (var (lo, hi) in Ranges)
            if (cp >= lo && cp <= hi) return true;
        return false;
    }

    public static string Tokenize(string line)
    {
        var sb = new StringBuilder(line.Length * 2);
        foreach (int cp in PyText.CodePoints(PyText.Strip(line)))
        {
            if (IsChinese(cp)) { sb.Append(' '); PyText.AppendCodePoint(sb, cp); sb.Append(' '); }
            else PyText.AppendCodePoint(sb, cp);
        }
        return WesternRules.Apply(sb.ToString());
    }
}
