using System.Globalization;
using System.Text;

namespace Attend.Evaluation.Tokenizers;

/// <summary>
/// sacreBLEU's <c>tok:intl</c> (mteval-v14 international): <c>(\P{N})(\p{P})</c> → <c>'\1 \2 '</c>, then
/// <c>(\p{P})(\P{N})</c> → <c>' \1 \2'</c>, then <c>(\p{S})</c> → <c>' \1 '</c>, on code points (the Python
/// <c>regex</c> module), then whitespace normalisation. .NET Regex would test categories per UTF-16 unit and miss
/// astral symbols such as emoji, hence the explicit loops.
/// </summary>
internal static class TokenizerIntl
{
    public static string Tokenize(string line)
    {
        int[] s = PyText.CodePoints(line);
        s = PairPass(s, (a, b) => !IsNumber(a) && IsPunct(b), leadingSpace: false);
        s = PairPass(s, (a, b) => IsPunct(a) && !IsNumber(b), leadingSpace: true);
        var o = new List<int>(s.Length * 2);
        foreach (int c in s)
        {
            if (IsSymbol(c)) { o.Add(' '); o.Add(c); o.Add(' '); }
            else o.Add(c);
        }
        return PyText.JoinSplit(PyText.FromCodePoints(o.ToArray()));
    }

    // leadingSpace false: '\1 \2 '; true: ' \1 \2'.
    private static int[] PairPass(int[] s, Func<int, int, bool> match, bool leadingSpace)
    {
        var o = new List<int>(s.Length + 8);
        int i = 0;
        while (i < s.Length)
        {
            if (i + 1 < s.Length && match(s[i], s[i + 1]))
            {
                if (leadingSpace) { o.Add(' '); o.Add(s[i]); o.Add(' '); o.Add(s[i + 1]); }
                else { o.Add(s[i]); o.Add(' '); o.Add(s[i + 1]); o.Add(' '); }
                i += 2;
            }
            else o.Add(s[i++]);
        }
        return o.ToArray();
    }

    private static UnicodeCategory Cat(int cp) =>
        Rune.IsValid(cp) ? Rune.GetUnicodeCategory(new Rune(cp)) : UnicodeCategory.Surrogate;

    private static bool IsNumber(int cp) => Cat(cp) is UnicodeCategory.DecimalDigitNumber
        or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    private static bool IsPunct(int cp) => Cat(cp) is UnicodeCategory.ConnectorPunctuation
        or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
        or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
        or UnicodeCategory.OtherPunctuation;

    private static bool IsSymbol(int cp) => Cat(cp) is UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol
        or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol;
}
