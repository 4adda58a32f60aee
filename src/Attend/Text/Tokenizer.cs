namespace Attend.Text;

/// <summary>Which tokenizer splits normalized text into tokens.</summary>
public enum TokenizerKind
{
    /// <summary>Words and punctuation, with joiner marks so detokenization is exact (<see cref="WordTokenizer"/>).</summary>
    Word,
    /// <summary>One token per character (with its combining marks); spaces become ▁ (<see cref="CharTokenizer"/>).</summary>
    Char,
    /// <summary>Pre-tokenized input: split on spaces, join with spaces (<see cref="WhitespaceTokenizer"/>).</summary>
    Whitespace,
}

/// <summary>Splits normalized text into tokens and joins tokens back into text.</summary>
internal interface ITokenizer
{
    string[] Tokenize(string text);
    string Detokenize(IEnumerable<string> tokens);
}

internal static class Tokenizers
{
    public static ITokenizer Create(TokenizerKind kind) => kind switch
    {
        TokenizerKind.Word => new WordTokenizer(),
        TokenizerKind.Char => new CharTokenizer(),
        TokenizerKind.Whitespace => new WhitespaceTokenizer(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown tokenizer"),
    };
}

/// <summary>Pre-tokenized text: tokens are the space-separated fields.</summary>
internal sealed class WhitespaceTokenizer : ITokenizer
{
    public string[] Tokenize(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    public string Detokenize(IEnumerable<string> tokens) => string.Join(' ', tokens);
}

/// <summary>
/// One token per user-perceived character: a code point with the combining marks that follow it. A space is the
/// token ▁ (U+2581) so that tokens never contain spaces; text that itself contains ▁ will detokenize it as a space.
/// </summary>
internal sealed class CharTokenizer : ITokenizer
{
    public const string Space = "\u2581";

    // Single-character tokens below U+0250 (ASCII, Latin-1, Latin Extended) are shared strings, not new allocations.
    private static readonly string[] Common = Enumerable.Range(0, 0x250).Select(c => c == ' ' ? Space : ((char)c).ToString()).ToArray();

    public string[] Tokenize(string text)
    {
        var tokens = new List<string>(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            i += char.IsSurrogatePair(text, i) ? 2 : 1;
            while (i < text.Length && WordTokenizer.IsMark(text, i)) i += char.IsSurrogatePair(text, i) ? 2 : 1;
            if (i == start + 1 && text[start] < Common.Length) tokens.Add(Common[text[start]]);
            else tokens.Add(text[start] == ' ' ? Space + text[(start + 1)..i] : text[start..i]); // a mark on a space
        }
        return tokens.ToArray();
    }

    public string Detokenize(IEnumerable<string> tokens) =>
        string.Concat(tokens.Select(t => t.StartsWith(Space, StringComparison.Ordinal) ? " " + t[Space.Length..] : t));
}
