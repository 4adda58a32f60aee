using System.Text;
using Attend.Text.Unicode;

namespace Attend.Text;

/// <summary>Which Unicode normalization form the text normalizer applies.</summary>
internal enum UnicodeForm { Nfc, Nfkc }

/// <summary>Options of <see cref="Normalizer"/>. Lowercasing is <see cref="string.ToLowerInvariant()"/>:
/// culture-invariant simple case mapping (so Turkish dotted/dotless i are not special-cased).</summary>
internal sealed record NormalizerOptions(UnicodeForm Form = UnicodeForm.Nfc, bool Lowercase = false);

/// <summary>
/// Puts raw text into the one canonical form every later stage assumes: Unicode NFC (or NFKC); every kind of
/// whitespace (tab, U+00A0, U+202F, U+2009, U+3000, line separators...) becomes one ASCII space, runs of spaces
/// collapse and the ends are trimmed; control characters (Cc) and invisible breaks (U+200B, U+2060, U+FEFF) are
/// removed; U+FFED, the tokenizer's joiner, becomes U+25A0 (its NFKC form) so the tokenizer can use it safely;
/// optionally lowercase. Normalizing twice gives the same string as normalizing once.
/// </summary>
internal sealed class Normalizer
{
    public NormalizerOptions Options { get; }

    public Normalizer(NormalizerOptions? options = null) => Options = options ?? new NormalizerOptions();

    public string Normalize(string text)
    {
        var form = Options.Form == UnicodeForm.Nfkc ? NormalizationForm.FormKC : NormalizationForm.FormC;
        string s = CleanCharacters(text);
        if (Options.Lowercase) s = s.ToLowerInvariant();
        s = UnicodeNormalization.Normalize(s, form);
        // NFKC can turn compatibility spaces (U+2000..U+200A) into spaces, so clean once more after it.
        return CleanCharacters(s);
    }

    // Maps whitespace to single spaces, drops controls and invisible breaks, trims; returns the input when it is
    // already clean (the common case) without allocating.
    private static string CleanCharacters(string s)
    {
        if (IsClean(s)) return s;
        var sb = new StringBuilder(s.Length);
        bool pendingSpace = false;
        foreach (char ch in s)
        {
            if (char.IsWhiteSpace(ch)) { pendingSpace = sb.Length > 0; continue; }
            if (IsRemoved(ch)) continue;
            if (pendingSpace) { sb.Append(' '); pendingSpace = false; }
            sb.Append(ch == WordTokenizer.Joiner ? '\u25A0' : ch);
        }
        return sb.ToString();
    }

    private static bool IsRemoved(char ch) =>
        ch is '\u200B' or '\u2060' or '\uFEFF' || (char.IsControl(ch) && !char.IsWhiteSpace(ch));

    private static bool IsClean(string s)
    {
        if (s.Length > 0 && (s[0] == ' ' || s[^1] == ' ')) return false;
        char prev = 'x';
        foreach (char ch in s)
        {
            if (ch < 0x80)
            {
                if (ch < 0x20 || ch == 0x7F || (ch == ' ' && prev == ' ')) return false;
            }
            else if (char.IsWhiteSpace(ch) || IsRemoved(ch) || ch == WordTokenizer.Joiner) return false;
            prev = ch;
        }
        return true;
    }
}
