using System.Globalization;
using System.Text;

namespace Attend.Text;

/// <summary>
/// Moses-like word tokenizer whose output can be inverted exactly. Rules, applied to each space-separated chunk of
/// normalized text:
/// <list type="bullet">
/// <item>A word is a run of letters, digits and combining marks. It keeps an apostrophe (' or ’) between two
///   letters (don't, l'homme, aujourd'hui) and a '.', ',' or ':' between two digits (3.5, 1,000, 10:30).</item>
/// <item>Everything else (punctuation, symbols) is split off. A run of one repeated character stays one token
///   ("...", "!!", "--"), except '@', which is always alone so that no token can end in the BPE marker "@@".</item>
/// <item>Where two tokens touched in the text (no space between them), the joiner ￭ (U+FFED, as in OpenNMT's
///   tokenizer) marks the punctuation side: "Hello, world." → Hello ￭, world ￭. ; "T-Shirt" → T ￭-￭ Shirt;
///   "(a)" → (￭ a ￭). Words never carry a joiner, so "world" is the same token everywhere.</item>
/// </list>
/// Detokenization concatenates tokens, with a space between two tokens unless a joiner sits between them. For any
/// normalized text s (see <see cref="Normalizer"/>, which guarantees single spaces and no ￭ in the text),
/// Detokenize(Tokenize(s)) == s.
/// </summary>
internal sealed class WordTokenizer : ITokenizer
{
    public const char Joiner = '\uFFED';
    private const string JoinerString = "\uFFED";

    public string[] Tokenize(string text)
    {
        var tokens = new List<string>(text.Length / 4 + 4);
        var pieces = new List<(int Start, int End, bool IsWord)>();
        foreach (var chunk in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            pieces.Clear();
            Split(chunk, pieces);
            if (pieces.Count == 1 && pieces[0].IsWord) { tokens.Add(chunk); continue; }
            for (int p = 0; p < pieces.Count; p++)
            {
                var (start, end, isWord) = pieces[p];
                string core = chunk[start..end];
                if (isWord) { tokens.Add(core); continue; }
                bool left = p > 0;                                 // glued to the previous piece
                bool right = p + 1 < pieces.Count && pieces[p + 1].IsWord; // a following punctuation marks itself
                tokens.Add((left ? JoinerString : "") + core + (right ? JoinerString : ""));
            }
        }
        return tokens.ToArray();
    }

    public string Detokenize(IEnumerable<string> tokens)
    {
        var sb = new StringBuilder();
        bool glue = true; // nothing before the first token
        foreach (var token in tokens)
        {
            bool left = token.Length > 0 && token[0] == Joiner;
            bool right = token.Length > (left ? 1 : 0) && token[^1] == Joiner;
            if (!glue && !left) sb.Append(' ');
            int start = left ? 1 : 0, end = token.Length - (right ? 1 : 0);
            if (end > start) sb.Append(token, start, end - start);
            glue = right || (left && end <= start); // a bare ￭ glues both sides
        }
        return sb.ToString();
    }

    // Cuts one chunk (no spaces) into word and punctuation pieces, as character ranges.
    private static void Split(string s, List<(int, int, bool)> pieces)
    {
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            if (IsWordChar(s, i))
            {
                i = Next(s, i);
                while (i < s.Length)
                {
                    if (IsWordChar(s, i)) { i = Next(s, i); continue; }
                    if (IsInnerConnector(s, i)) { i++; continue; }
                    break;
                }
                pieces.Add((start, i, true));
                continue;
            }
            int first = s.ConvertToUtf32Safe(i);
            i = SkipMarks(s, Next(s, i));
            if (first != '@')
                while (i < s.Length && s.ConvertToUtf32Safe(i) == first) i = SkipMarks(s, Next(s, i));
            pieces.Add((start, i, false));
        }
    }

    private static bool IsInnerConnector(string s, int i)
    {
        char c = s[i];
        if (i == 0 || i + 1 >= s.Length) return false;
        if (c is '\'' or '\u2019') return IsLetterAt(s, i - 1) && IsLetterAt(s, i + 1);
        if (c is '.' or ',' or ':') return char.IsDigit(s[i - 1]) && char.IsDigit(s[i + 1]);
        return false;
    }

    private static bool IsLetterAt(string s, int i)
    {
        if (s[i] < 0x80) return char.IsAsciiLetter(s[i]);
        if (char.IsLowSurrogate(s[i]) && i > 0) i--;
        var cat = CharUnicodeInfo.GetUnicodeCategory(s, i);
        return cat <= UnicodeCategory.OtherLetter || IsMarkCategory(cat);
    }

    private static bool IsWordChar(string s, int i)
    {
        char c = s[i];
        if (c < 0x80) return char.IsAsciiLetterOrDigit(c);
        var cat = CharUnicodeInfo.GetUnicodeCategory(s, i);
        return cat <= UnicodeCategory.OtherNumber; // letters, marks and numbers (the enum lists them first)
    }

    internal static bool IsMark(string s, int i) => s[i] >= 0x300 && IsMarkCategory(CharUnicodeInfo.GetUnicodeCategory(s, i));

    private static bool IsMarkCategory(UnicodeCategory cat) =>
        cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private static int Next(string s, int i) => i + (char.IsSurrogatePair(s, i) ? 2 : 1);

    private static int SkipMarks(string s, int i)
    {
        while (i < s.Length && IsMark(s, i)) i = Next(s, i);
        return i;
    }
}

internal static class CharExtensions
{
    /// <summary>The code point at i; a lone surrogate is returned as itself rather than throwing.</summary>
    public static int ConvertToUtf32Safe(this string s, int i) =>
        char.IsSurrogatePair(s, i) ? char.ConvertToUtf32(s[i], s[i + 1]) : s[i];
}
