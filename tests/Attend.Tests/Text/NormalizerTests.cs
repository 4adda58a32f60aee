using System.Text;
using Attend.Text;
using Attend.Text.Unicode;

namespace Attend.Tests.Text;

public class NormalizerTests
{
    [Theory]
    [InlineData("e\u0301", "\u00E9")]                 // composes
    [InlineData("\u212B", "\u00C5")]                  // Angstrom sign: singleton → Å
    [InlineData("a\u0323\u0302", "\u1EAD")]           // marks reordered by class then composed: ậ
    [InlineData("a\u0302\u0323", "\u1EAD")]
    [InlineData("\u1100\u1161\u11A8", "\uAC01")]      // Hangul L V T → 각
    [InlineData("\uFB01", "\uFB01")]                  // ligature fi is NFC-stable
    [InlineData("\u0958", "\u0915\u093C")]            // composition exclusion stays decomposed
    public void Nfc_matches_unicode(string input, string expected) =>
        Assert.Equal(expected, UnicodeNormalization.Normalize(input, NormalizationForm.FormC));

    [Theory]
    [InlineData("\uFB01", "fi")]
    [InlineData("x\u00B2", "x2")]
    [InlineData("\u00BD", "1\u20442")]
    [InlineData("\uFF21\uFF22", "AB")]                // full-width letters
    public void Nfkc_folds_compatibility_characters(string input, string expected) =>
        Assert.Equal(expected, UnicodeNormalization.Normalize(input, NormalizationForm.FormKC));

    [Fact]
    public void Nfd_decomposes_hangul_and_accents() =>
        Assert.Equal("\u1100\u1161\u11A8e\u0301", UnicodeNormalization.Normalize("\uAC01\u00E9", NormalizationForm.FormD));

    [Fact]
    public void Unusual_spaces_become_one_space_controls_vanish()
    {
        var n = new Normalizer();
        Assert.Equal("Va !", n.Normalize("Va\u202F!"));
        Assert.Equal("a b c d", n.Normalize("  a\u00A0\tb\u2009\u2009c\u3000d \n"));
        Assert.Equal("ab", n.Normalize("a\u0007\u200Bb\u0000"));
        Assert.Equal("\u00E9t\u00E9", n.Normalize("e\u0301\u0001te\u0301")); // a control between base and mark
        Assert.Equal("a\u25A0b", n.Normalize("a\uFFEDb"));                   // the joiner cannot survive
    }

    [Fact]
    public void Lowercase_is_invariant_and_optional()
    {
        Assert.Equal("ÉCOLE Σ", new Normalizer().Normalize("ÉCOLE Σ"));
        Assert.Equal("école σ", new Normalizer(new NormalizerOptions(Lowercase: true)).Normalize("ÉCOLE Σ"));
        Assert.Equal("fi 2", new Normalizer(new NormalizerOptions(UnicodeForm.Nfkc)).Normalize("\uFB01 \u00B2"));
    }

    [Fact]
    public void Normalizing_twice_changes_nothing()
    {
        var n = new Normalizer(new NormalizerOptions(UnicodeForm.Nfkc, Lowercase: true));
        foreach (var s in new[] { " A\u00A0\u00A0b\u0301\u0323 \uFB01 ", "\u212B\u2000x", "\u0130stanbul" })
            Assert.Equal(n.Normalize(s), n.Normalize(n.Normalize(s)));
    }
}

public class UnicodeNormalizationGoldenTests
{
    /// <summary>800 random strings from combining-heavy ranges (Latin, Greek extended, Hangul jamo and syllables,
    /// Devanagari, Hebrew, Tibetan, kana, ligatures, full-width, math letters), normalized by Python's unicodedata
    /// (same Unicode version as our tables), must come out identical in all four forms.</summary>
    [Fact]
    public void Matches_python_unicodedata_on_random_strings()
    {
        string path = Path.Combine(Attend.Testing.Fixtures.RepoRoot, "tests", "Attend.Tests", "Text", "Data", "unicode-normalization.tsv");
        var forms = new[] { NormalizationForm.FormC, NormalizationForm.FormD, NormalizationForm.FormKC, NormalizationForm.FormKD };
        int cases = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith('#')) continue;
            var f = line.Split('\t').Select(Unescape).ToArray();
            for (int k = 0; k < 4; k++)
                Assert.True(UnicodeNormalization.Normalize(f[0], forms[k]) == f[k + 1], $"{forms[k]} of {line.Split('\t')[0]}");
            cases++;
        }
        Assert.Equal(800, cases);
    }

    // Python's unicode_escape: \\, \xHH, \uHHHH, \UHHHHHHHH (other ASCII is literal).
    private static string Unescape(string s)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\') { sb.Append(s[i]); continue; }
            char kind = s[++i];
            int digits = kind switch { 'x' => 2, 'u' => 4, 'U' => 8, _ => 0 };
            if (digits == 0) { sb.Append(kind); continue; }
            sb.Append(char.ConvertFromUtf32(Convert.ToInt32(s.Substring(i + 1, digits), 16)));
            i += digits;
        }
        return sb.ToString();
    }
}
