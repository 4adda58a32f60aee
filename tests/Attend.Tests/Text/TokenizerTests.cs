using Attend.Text;

namespace Attend.Tests.Text;

public class TokenizerTests
{
    private static readonly WordTokenizer Word = new();

    [Theory]
    [InlineData("Hello, world.", "Hello ￭, world ￭.")]
    [InlineData("Two young, White males are outside.", "Two young ￭, White males are outside ￭.")]
    [InlineData("A man in a T-shirt", "A man in a T ￭-￭ shirt")]
    [InlineData("I don't know.", "I don't know ￭.")]
    [InlineData("Je t'appellerai dans une heure.", "Je t'appellerai dans une heure ￭.")]
    [InlineData("It costs 3.5 dollars, or 1,000 cents at 10:30!", "It costs 3.5 dollars ￭, or 1,000 cents at 10:30 ￭!")]
    [InlineData("Va !", "Va !")]
    [InlineData("\"Hi,\" (he said)...", "\"￭ Hi ￭, ￭\" (￭ he said ￭) ￭...")]
    [InlineData("Wait?! 'yes'", "Wait ￭? ￭! '￭ yes ￭'")]
    [InlineData("mail@@example", "mail ￭@ ￭@￭ example")]
    [InlineData("", "")]
    public void Word_tokenizer_splits_punctuation_and_marks_joins(string text, string expected)
    {
        var tokens = Word.Tokenize(text);
        Assert.Equal(expected, string.Join(' ', tokens));
        Assert.Equal(text, Word.Detokenize(tokens));
    }

    [Fact]
    public void Detokenizer_handles_model_output_with_stray_joiners()
    {
        Assert.Equal("a,b", Word.Detokenize(["a", "￭,￭", "b"]));
        Assert.Equal("ab", Word.Detokenize(["a", "￭", "b"]));
        Assert.Equal("a b", Word.Detokenize(["a", "b"]));
    }

    [Fact]
    public void Char_tokenizer_keeps_marks_with_their_base_and_spaces_as_a_symbol()
    {
        var c = new CharTokenizer();
        var tokens = c.Tokenize("ne\u0301 a😀");
        Assert.Equal(["n", "e\u0301", "▁", "a", "😀"], tokens);
        Assert.Equal("ne\u0301 a😀", c.Detokenize(tokens));
        Assert.Equal(["a", "▁\u0301", "b"], c.Tokenize("a \u0301b")); // a stray mark on a space: no space inside a token
        Assert.Equal("a \u0301b", c.Detokenize(c.Tokenize("a \u0301b")));
    }

    [Fact]
    public void Whitespace_tokenizer_splits_on_spaces()
    {
        var w = new WhitespaceTokenizer();
        Assert.Equal(["a", "b@@", "c"], w.Tokenize("a  b@@ c "));
        Assert.Equal("a b@@ c", w.Detokenize(["a", "b@@", "c"]));
    }
}

public class TextSideTests
{
    [Fact]
    public void Raw_text_to_subwords_and_back_to_normalized_text()
    {
        var counts = BpeLearner.CountWords(["Hello ￭, world ￭.", "Hello there ￭.", "world peace"]);
        var side = new TextSide(TokenizerKind.Word, lowercase: false, BpeLearner.Learn(counts, new BpeLearnOptions(Merges: 6, MinFrequency: 1)));
        string raw = "  Hello,\u00A0wonderful world.";
        var subwords = side.Tokenize(raw);
        Assert.Contains(subwords, s => s.EndsWith("@@", StringComparison.Ordinal));
        Assert.Equal("Hello, wonderful world.", side.Detokenize(subwords));
    }
}
