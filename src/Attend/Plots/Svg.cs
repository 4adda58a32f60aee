using System.Globalization;
using System.Text;

namespace Attend.Plots;

/// <summary>Small helpers for writing SVG by hand: XML escaping, invariant numbers, text direction and width.</summary>
internal static class Svg
{
    /// <summary>A generic stack that covers Latin, Devanagari, CJK, Arabic and Hebrew on common systems.</summary>
    public const string FontFamily =
        "'Noto Sans', 'DejaVu Sans', 'Noto Sans Devanagari', 'Noto Sans CJK SC', 'WenQuanYi Zen Hei', " +
        "'Noto Sans Arabic', 'Noto Sans Hebrew', 'Segoe UI', Arial, sans-serif";

    public static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Escapes text and attribute values, and drops characters XML 1.0 cannot carry at all.</summary>
    public static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        sb.Append(c).Append(s[++i]);
                    }
                    else if (c is '\t' or '\n' or '\r' || (c >= 0x20 && c < 0xFFFE && !char.IsSurrogate(c)))
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>True when the first strong character is right-to-left (Hebrew, Arabic, Syriac, Thaana, N'Ko…).</summary>
    public static bool IsRightToLeft(string s)
    {
        foreach (var r in s.EnumerateRunes())
        {
            int cp = r.Value;
            if (IsRtlCodePoint(cp)) return true;
            if (Rune.IsLetter(r)) return false;
        }
        return false;
    }

    private static bool IsRtlCodePoint(int cp) =>
        cp is >= 0x0590 and <= 0x08FF or >= 0xFB1D and <= 0xFDFF or >= 0xFE70 and <= 0xFEFF
            or >= 0x10800 and <= 0x10FFF or >= 0x1E800 and <= 0x1EFFF;

    /// <summary>
    /// Rough rendered width in pixels: wide (CJK, full-width) code points count one em, combining marks nothing,
    /// everything else 0.62 em. Only used to size margins, so being a little generous is the goal.
    /// </summary>
    public static double TextWidth(string s, double fontSize)
    {
        double em = 0;
        foreach (var r in s.EnumerateRunes())
        {
            var cat = Rune.GetUnicodeCategory(r);
            if (cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format) continue;
            em += IsWide(r.Value) ? 1.0 : 0.62;
        }
        return em * fontSize;
    }

    private static bool IsWide(int cp) =>
        cp is >= 0x1100 and <= 0x115F or >= 0x2E80 and <= 0xA4CF or >= 0xAC00 and <= 0xD7A3
            or >= 0xF900 and <= 0xFAFF or >= 0xFE30 and <= 0xFE4F or >= 0xFF00 and <= 0xFF60
            or >= 0xFFE0 and <= 0xFFE6 or >= 0x1F300 and <= 0x1FAFF or >= 0x20000 and <= 0x3FFFD;

    /// <summary>Attributes for a label: RTL text gets direction/unicode-bidi so its letters keep their order.</summary>
    public static string DirectionAttributes(string text) =>
        IsRightToLeft(text) ? " direction=\"rtl\" unicode-bidi=\"embed\"" : "";
}
