using Attend.Tensors;

namespace Attend.Data;

/// <summary>One example of the dates task: a date written some way, and its ISO form.</summary>
internal sealed record DatePair(string Source, string Target);

/// <summary>
/// The demo's synthetic translation task: a date written one of many ways → ISO 8601
/// ("saturday the 3rd of may 1979", "3/5/79", "May 3, 1979", "the third of may, nineteen seventy-nine" →
/// "1979-05-03"). Inputs run from 6 to about 90 characters, and the long ones carry redundant words
/// (weekday, "in the year"), so a fixed-size summary of the source (the plain encoder–decoder) must
/// remember digits across many steps while attention can look them up. Dates are uniform over
/// 1950-01-01 .. 2049-12-31; numeric forms are day-first (3/5/79 is 3 May), two-digit years &lt; 50 are 20xx.
/// </summary>
internal static class DateTask
{
    private static readonly string[] Months =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
    private static readonly string[] Days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    private static readonly DateOnly First = new(1950, 1, 1);
    private static readonly int DayCount = new DateOnly(2049, 12, 31).DayNumber - First.DayNumber + 1;

    private static readonly string[] Joiners = [" and ", ", ", " then ", "; "];

    /// <summary>
    /// Examples holding 1..<paramref name="maxDates"/> dates each (uniformly many), joined by "and", commas,
    /// "then" or semicolons → their ISO forms separated by spaces. The amount to remember grows with the
    /// input, which a fixed-size summary of the source cannot keep up with.
    /// </summary>
    public static List<DatePair> GenerateLists(Rng rng, int count, int maxDates, IReadOnlySet<string>? exclude = null)
    {
        if (maxDates <= 1) return Generate(rng, count, exclude);
        var list = new List<DatePair>(count);
        while (list.Count < count)
        {
            int k = 1 + rng.NextInt(maxDates);
            var parts = Generate(rng, k);
            var src = string.Concat(parts.Select((p, i) => (i == 0 ? "" : Joiners[rng.NextInt(Joiners.Length)]) + p.Source));
            if (exclude is not null && exclude.Contains(src)) continue;
            list.Add(new DatePair(src, string.Join(' ', parts.Select(p => p.Target))));
        }
        return list;
    }

    /// <summary>Number of surface forms <see cref="Write"/> knows.</summary>
    public const int FormatCount = 16;

    /// <summary><paramref name="count"/> examples drawn from <paramref name="rng"/> (same state → same examples).</summary>
    public static List<DatePair> Generate(Rng rng, int count, IReadOnlySet<string>? exclude = null)
    {
        var list = new List<DatePair>(count);
        while (list.Count < count)
        {
            var date = First.AddDays(rng.NextInt(DayCount));
            var src = Write(date, rng.NextInt(FormatCount), rng);
            if (exclude is not null && exclude.Contains(src)) continue;
            list.Add(new DatePair(src, date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        }
        return list;
    }

    /// <summary>The date in surface form <paramref name="format"/> (0 ≤ format &lt; <see cref="FormatCount"/>).</summary>
    public static string Write(DateOnly date, int format, Rng rng)
    {
        int d = date.Day, m = date.Month, y = date.Year, yy = y % 100;
        string month = Months[m - 1], mon = month[..3], Month = Capital(month);
        string day = Days[((int)date.DayOfWeek + 6) % 7], dy = day[..3];
        string year = SpelledNumbers.Year(y, rng.NextInt(2) == 0);
        return format switch
        {
            0 => $"{d}/{m}/{yy:00}",
            1 => $"{d:00}.{m:00}.{y}",
            2 => $"{Month} {d}, {y}",
            3 => $"{d}-{mon}-{y}",
            4 => $"{day} the {SpelledNumbers.Suffixed(d)} of {month} {y}",
            5 => $"the {SpelledNumbers.Ordinal(d)} of {month}, {year}",
            6 => $"{Capital(day)}, {Month} {SpelledNumbers.Suffixed(d)}, {y}",
            7 => $"{dy} {d} {mon} {yy:00}",
            8 => $"{y}-{m:00}-{d:00}",
            9 => $"{month} {SpelledNumbers.Ordinal(d)} {year}",
            10 => $"the {SpelledNumbers.Suffixed(d)} day of {month} in the year {year}",
            11 => $"on {day}, the {SpelledNumbers.Ordinal(d)} of {month}, in the year {year}",
            12 => $"{d} {month} {y}",
            13 => $"{day}, {d} {month} {y}",
            14 => $"{mon} {SpelledNumbers.Suffixed(d)} '{yy:00}",
            15 => $"{day} {SpelledNumbers.Ordinal(d)} {month} {year}",
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"0 ≤ format < {FormatCount}"),
        };
    }

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>Input-length buckets (characters) of the demo's table: 1-10, 11-20, 21-40, …, 121+.</summary>
    public static readonly int[] BucketEdges = [10, 20, 40, 60, 80, 100, 120];

    /// <summary>The bucket label of a source of <paramref name="length"/> characters.</summary>
    public static string Bucket(int length)
    {
        int lo = 1;
        foreach (var hi in BucketEdges)
        {
            if (length <= hi) return $"{lo}-{hi}";
            lo = hi + 1;
        }
        return $"{lo}+";
    }

    /// <summary>Every bucket label in increasing length.</summary>
    public static IEnumerable<string> Buckets() =>
        BucketEdges.Select((hi, i) => $"{(i == 0 ? 1 : BucketEdges[i - 1] + 1)}-{hi}").Append($"{BucketEdges[^1] + 1}+");
}
