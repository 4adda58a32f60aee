using System.Globalization;
using System.Text;

namespace Attend.Evaluation;

/// <summary>
/// The few Python <c>str</c> operations sacreBLEU relies on, reproduced on Unicode code points.
/// .NET's string methods differ in exactly the places that change scores: <c>char.IsWhiteSpace</c> omits
/// U+001C–U+001F, <c>ToLowerInvariant</c> has no full case mapping (İ) or Final_Sigma, and strings are
/// UTF-16 units where Python counts code points.
/// </summary>
internal static class PyText
{
    /// <summary>Python's <c>str.isspace</c> set (bidi class WS/B/S or category Zs), as of Unicode 14/15.</summary>
    public static bool IsWhitespace(int cp) => cp switch
    {
        >= 0x09 and <= 0x0D => true,
        >= 0x1C and <= 0x20 => true,
        0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    /// <summary>The string as code points (a lone surrogate stays one unit, like Python's surrogateescape).</summary>
    public static int[] CodePoints(string s)
    {
        var result = new List<int>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                result.Add(char.ConvertToUtf32(c, s[i + 1]));
                i++;
            }
            else result.Add(c);
        }
        return result.ToArray();
    }

    /// <summary>Number of code points: Python's <c>len(str)</c>.</summary>
    public static int Length(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            n++;
        }
        return n;
    }

    public static void AppendCodePoint(StringBuilder sb, int cp)
    {
        if (cp >= 0x10000) sb.Append(char.ConvertFromUtf32(cp));
        else sb.Append((char)cp);
    }

    public static string FromCodePoints(ReadOnlySpan<int> cps)
    {
        var sb = new StringBuilder(cps.Length);
        foreach (int cp in cps) AppendCodePoint(sb, cp);
        return sb.ToString();
    }

    /// <summary>Python's <c>str.split()</c> with no arguments: runs of whitespace separate, no empty tokens.</summary>
    public static List<string> Split(string s)
    {
        var tokens = new List<string>();
        int start = -1;
        for (int i = 0; i < s.Length; i++)
        {
            // Every Python whitespace character is in the BMP, so a surrogate is never whitespace.
            if (IsWhitespace(s[i]))
            {
                if (start >= 0) { tokens.Add(s[start..i]); start = -1; }
            }
            else if (start < 0) start = i;
        }
        if (start >= 0) tokens.Add(s[start..]);
        return tokens;
    }

    /// <summary><c>' '.join(s.split())</c>: the normalisation every sacreBLEU tokenizer ends with.</summary>
    public static string JoinSplit(string s) => string.Join(' ', Split(s));

    public static string RStrip(string s)
    {
        int end = s.Length;
        while (end > 0 && IsWhitespace(s[end - 1])) end--;
        return end == s.Length ? s : s[..end];
    }

    public static string Strip(string s)
    {
        int start = 0;
        while (start < s.Length && IsWhitespace(s[start])) start++;
        return RStrip(s[start..]);
    }

    /// <summary>
    /// Python's <c>str.lower()</c>: full lowercase mapping (İ → i + U+0307) and the Final_Sigma rule
    /// (Σ at the end of a word → ς), simple mappings for everything else.
    /// </summary>
    public static string Lower(string s)
    {
        int[] cps = CodePoints(s);
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < cps.Length; i++)
        {
            int cp = cps[i];
            if (cp < 0x80)
            {
                sb.Append(cp is >= 'A' and <= 'Z' ? (char)(cp + 32) : (char)cp);
            }
            else if (cp == 0x130)
            {
                sb.Append('i').Append('\u0307');
            }
            else if (cp == 0x3A3)
            {
                sb.Append(IsFinalSigma(cps, i) ? 'ς' : 'σ');
            }
            else if (Rune.IsValid(cp))
            {
                AppendCodePoint(sb, Rune.ToLowerInvariant(new Rune(cp)).Value);
            }
            else sb.Append((char)cp);
        }
        return sb.ToString();
    }

    // Unicode's Final_Sigma context: a cased letter before (skipping case-ignorables) and no cased letter after.
    private static bool IsFinalSigma(int[] cps, int i)
    {
        int j = i - 1;
        while (j >= 0 && IsCaseIgnorable(cps[j])) j--;
        if (j < 0 || !IsCased(cps[j])) return false;
        j = i + 1;
        while (j < cps.Length && IsCaseIgnorable(cps[j])) j++;
        return j == cps.Length || !IsCased(cps[j]);
    }

    private static UnicodeCategory Category(int cp) =>
        Rune.IsValid(cp) ? Rune.GetUnicodeCategory(new Rune(cp)) : UnicodeCategory.Surrogate;

    // Approximates the Cased property: letters with case, plus anything that changes under case mapping.
    private static bool IsCased(int cp)
    {
        var cat = Category(cp);
        if (cat is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter)
            return true;
        if (!Rune.IsValid(cp)) return false;
        var r = new Rune(cp);
        return Rune.ToLowerInvariant(r) != r || Rune.ToUpperInvariant(r) != r;
    }

    // Case_Ignorable: Mn, Me, Cf, Lm, Sk, plus the Word_Break MidLetter/MidNumLet/Single_Quote characters.
    private static bool IsCaseIgnorable(int cp)
    {
        switch (cp)
        {
            case 0x27 or 0x2E or 0x3A or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024
                or 0x2027 or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A:
                return true;
        }
        var cat = Category(cp);
        return cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
    }
}
