namespace Attend.Evaluation.Tokenizers;

/// <summary>sacreBLEU's tokenizers, by their signature names (tok:13a, tok:intl, tok:zh, tok:char, tok:none).</summary>
public enum BleuTokenizer
{
    /// <summary>mteval-v13a, sacreBLEU's default.</summary>
    Tok13a,
    /// <summary>mteval-v14 international: Unicode punctuation and symbols split.</summary>
    Intl,
    /// <summary>Chinese characters split, the rest as 13a.</summary>
    Zh,
    /// <summary>Every character a token.</summary>
    Char,
    /// <summary>The text as it is, split on spaces.</summary>
    None,
}

internal static class BleuTokenizers
{
    public static string Name(BleuTokenizer t) => t switch
    {
        BleuTokenizer.Tok13a => "13a",
        BleuTokenizer.Intl => "intl",
        BleuTokenizer.Zh => "zh",
        BleuTokenizer.Char => "char",
        BleuTokenizer.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static BleuTokenizer Parse(string name) => name switch
    {
        "13a" => BleuTokenizer.Tok13a,
        "intl" => BleuTokenizer.Intl,
        "zh" => BleuTokenizer.Zh,
        "char" => BleuTokenizer.Char,
        "none" => BleuTokenizer.None,
        _ => throw new EvaluationInputException($"unknown tokenizer '{name}' (expected one of 13a, intl, zh, char, none)"),
    };

    public static string Tokenize(BleuTokenizer t, string line) => t switch
    {
        BleuTokenizer.Tok13a => Tokenizer13a.Tokenize(line),
        BleuTokenizer.Intl => TokenizerIntl.Tokenize(line),
        BleuTokenizer.Zh => TokenizerZh.Tokenize(line),
        BleuTokenizer.Char => TokenizerChar.Tokenize(line),
        BleuTokenizer.None => line,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };
}
