using System.Text;

namespace Attend.Evaluation.Tokenizers;

/// <summary>
/// sacreBLEU's <c>TokenizerRegexp</c> (shared by 13a and zh): four Python <c>re.sub</c> passes, written as
/// explicit left-to-right scans. Each pattern matches one or two code points, so "scan, and on a match emit the
/// replacement and skip past it" is exactly Python's non-overlapping leftmost substitution.
/// </summary>
internal static class WesternRules
{
    public static string Apply(string line)
    {
        int[] cps = PyText.CodePoints(line);
        cps = SplitSymbols(cps);
        cps = SplitPeriodCommaAfterNonDigit(cps);
        cps = SplitPeriodCommaBeforeNonDigit(cps);
        cps = SplitDashAfterDigit(cps);
        return PyText.JoinSplit(PyText.FromCodePoints(cps));
    }

    private static bool IsDigit(int cp) => cp is >= '0' and <= '9';
    private static bool IsPeriodComma(int cp) => cp is '.' or ',';

    // [\{-\~\[-\` -\&\(-\+\:-\@\/] : every ASCII symbol except ' - . , (the space is in the class too).
    private static bool IsSplitSymbol(int cp) => cp switch
    {
        >= '{' and <= '~' => true,
        >= '[' and <= '`' => true,
        >= ' ' and <= '&' => true,
        >= '(' and <= '+' => true,
        >= ':' and <= '@' => true,
        '/' => true,
        _ => false,
    };

    // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> ' \1 '
    private static int[] SplitSymbols(int[] s)
    {
        var o = new List<int>(s.Length * 2);
        foreach (int c in s)
        {
            if (IsSplitSymbol(c)) { o.Add(' '); o.Add(c); o.Add(' '); }
            else o.Add(c);
        }
        return o.ToArray();
    }

    // ([^0-9])([\.,]) -> '\1 \2 '
    private static int[] SplitPeriodCommaAfterNonDigit(int[] s)
    {
        var o = new List<int>(s.Length + 8);
        int i = 0;
        while (i < s.Length)
        {
            if (i + 1 < s.Length && !IsDigit(s[i]) && IsPeriodComma(s[i + 1]))
            {
                o.Add(s[i]); o.Add(' '); o.Add(s[i + 1]); o.Add(' ');
                i += 2;
            }
            else o.Add(s[i++]);
        }
        return o.ToArray();
    }

    // ([\.,])([^0-9]) -> ' \1 \2'
    private static int[] SplitPeriodCommaBeforeNonDigit(int[] s)
    {
        var o = new List<int>(s.Length + 8);
        int i = 0;
        while (i < s.Length)
        {
            if (i + 1 < s.Length && IsPeriodComma(s[i]) && !IsDigit(s[i + 1]))
            {
                o.Add(' '); o.Add(s[i]); o.Add(' '); o.Add(s[i + 1]);
                i += 2;
            }
            else o.Add(s[i++]);
        }
        return o.ToArray();
    }

    // ([0-9])(-) -> '\1 \2 '
    private static int[] SplitDashAfterDigit(int[] s)
    {
        var o = new List<int>(s.Length + 8);
        int i = 0;
        while (i < s.Length)
        {
            if (i + 1 < s.Length && IsDigit(s[i]) && s[i + 1] == '-')
            {
                o.Add(s[i]); o.Add(' '); o.Add('-'); o.Add(' ');
                i += 2;
            }
            else o.Add(s[i++]);
        }
        return o.ToArray();
    }
}
