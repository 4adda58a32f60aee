using Attend.Evaluation.Tokenizers;

namespace Attend.Tests.Evaluation;

/// <summary>The tokenizer traps, one by one (the parity test covers them again through whole files).</summary>
public class TokenizerTests
{
    [Theory]
    [InlineData("&amp;quot;", "& quot ;")] // unescaped once, to the literal &quot;, whose symbols 13a then splits
    [InlineData("&amp;lt;", "<")]
    [InlineData("a&apos;b &#39;", "a & apos ; b & # 39 ;")] // neither is unescaped
    [InlineData("It costs 3.5% , in 1990-2000.", "It costs 3.5 % , in 1990 - 2000 .")]
    [InlineData("e-mail well-known a_b c\\d `x`", "e-mail well-known a _ b c \\ d ` x `")]
    [InlineData("<skipped>x", "x")]
    public void Thirteen_a(string input, string expected) => Assert.Equal(expected, Tokenizer13a.Tokenize(input));

    [Fact]
    public void Zh_keeps_sacrebleus_range_bug()
    {
        Assert.True(TokenizerZh.IsChinese(0x2001));
        Assert.True(TokenizerZh.IsChinese(0x201C)); // “
        Assert.True(TokenizerZh.IsChinese(0x20AC)); // €
        Assert.True(TokenizerZh.IsChinese(0x2A6D));
        Assert.False(TokenizerZh.IsChinese(0x2000));
        Assert.False(TokenizerZh.IsChinese(0x2A6E));
        Assert.False(TokenizerZh.IsChinese(0x20000)); // astral CJK is not counted
        Assert.Equal("我 爱 “ abc ” 。", TokenizerZh.Tokenize("  我爱“abc”。 "));
    }

    [Fact]
    public void Intl_splits_astral_symbols_and_keeps_sentence_final_number_period()
    {
        Assert.Equal("a 😀 b", TokenizerIntl.Tokenize("a😀b"));
        Assert.Equal("in 2019.", TokenizerIntl.Tokenize("in 2019."));
        Assert.Equal("word .", TokenizerIntl.Tokenize("word."));
    }

    [Fact]
    public void Char_counts_code_points() => Assert.Equal("a 😀 b", TokenizerChar.Tokenize("a😀b"));
}
