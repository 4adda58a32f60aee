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
    }

    [Fact]
    public void Whitespace_tokenizer_splits_on_spaces()
    {
        var w = new WhitespaceTokenizer();
        Assert.Equal(["a", "b@@", "c"], w.Tokenize("a  b@@ c "));
        Assert.Equal("a b@@ c", w.Detokenize(["a", "b@@", "c"]));
    }

    /// <summary>detokenize(tokenize(s)) == normalize(s) for every line of Multi30k (4 languages, 3 splits) and both
    /// sides of Tatoeba; also for the character tokenizer. No exceptions are allowed.</summary>
    [Fact]
    public void Round_trip_is_exact_on_all_of_Multi30k_and_Tatoeba()
    {
        var normalizer = new Normalizer();
        var chars = new CharTokenizer();
        long lines = 0, failures = 0;
        string? firstFailure = null;
        void Check(string raw)
        {
            string s = normalizer.Normalize(raw);
            lines++;
            if (Word.Detokenize(Word.Tokenize(s)) != s || chars.Detokenize(chars.Tokenize(s)) != s)
            {
                failures++;
                firstFailure ??= s;
            }
        }
        foreach (var split in TextTestData.Multi30kSplits)
            foreach (var lang in TextTestData.Multi30kLanguages)
                foreach (var line in TextFile.ReadLines(TextTestData.Multi30k(split, lang))) Check(line.Text);
        foreach (var pair in ParallelCorpus.ReadTsv(TextTestData.Tatoeba)) { Check(pair.Source); Check(pair.Target); }
        Assert.Equal(4 * (29000 + 1014 + 1000) + 2 * 135842, lines);
        Assert.True(failures == 0, $"{failures} of {lines} lines do not round-trip, first: {firstFailure}");
    }
}
