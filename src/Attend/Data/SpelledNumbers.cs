namespace Attend.Data;

/// <summary>English words for the numbers the dates task needs: days (ordinal) and years.</summary>
internal static class SpelledNumbers
{
    private static readonly string[] Ones =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
    private static readonly string[] Tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    private static readonly string[] OrdinalOnes =
        ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
         "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"];

    /// <summary>0..99 in words: 79 → "seventy-nine".</summary>
    public static string Cardinal(int n) =>
        n < 20 ? Ones[n] : n % 10 == 0 ? Tens[n / 10] : Tens[n / 10] + "-" + Ones[n % 10];

    /// <summary>1..31 as an ordinal word: 23 → "twenty-third", 30 → "thirtieth".</summary>
    public static string Ordinal(int n) =>
        n < 20 ? OrdinalOnes[n] : n % 10 == 0 ? Tens[n / 10][..^1] + "ieth" : Tens[n / 10] + "-" + OrdinalOnes[n % 10];

    /// <summary>1..31 with its English suffix: 1 → "1st", 12 → "12th", 23 → "23rd".</summary>
    public static string Suffixed(int n) =>
        n + (n % 100 is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" });

    /// <summary>A year as people say it: 1979 → "nineteen seventy-nine", 1905 → "nineteen oh five", 2005 → "two thousand and five", 2019 → "twenty nineteen".</summary>
    public static string Year(int year, bool alternative)
    {
        int hi = year / 100, lo = year % 100;
        if (year >= 2000 && year < 2010 || (year >= 2010 && alternative))
            return lo == 0 ? "two thousand" : "two thousand " + (alternative && year < 2010 ? "and " : "") + Cardinal(lo);
        if (lo == 0) return Cardinal(hi) + " hundred";
        return Cardinal(hi) + " " + (lo < 10 ? "oh " + Ones[lo] : Cardinal(lo));
    }
}
