using Attend.Data;
using Attend.Tensors;

namespace Attend.Tests.Data;

public class DateTaskTests
{
    [Fact]
    public void Same_seed_gives_the_same_examples()
    {
        var a = DateTask.Generate(new Rng(5), 200);
        var b = DateTask.Generate(new Rng(5), 200);
        Assert.Equal(a, b);
        Assert.NotEqual(a, DateTask.Generate(new Rng(6), 200));
    }

    [Fact]
    public void Every_format_writes_the_date_it_is_given()
    {
        var rng = new Rng(1);
        var date = new DateOnly(1979, 5, 3);
        var forms = Enumerable.Range(0, DateTask.FormatCount).Select(f => DateTask.Write(date, f, rng)).ToList();
        Assert.Contains("3/5/79", forms);
        Assert.Contains("May 3, 1979", forms);
        Assert.Contains("thursday the 3rd of may 1979", forms); // 3 May 1979 was a Thursday
        Assert.Contains("the third of may, nineteen seventy-nine", forms);
        Assert.Contains("1979-05-03", forms);
        Assert.Equal(forms.Count, forms.Distinct().Count());
    }

    [Theory]
    [InlineData(1979, false, "nineteen seventy-nine")]
    [InlineData(1905, false, "nineteen oh five")]
    [InlineData(2000, false, "two thousand")]
    [InlineData(2005, true, "two thousand and five")]
    [InlineData(2019, false, "twenty nineteen")]
    [InlineData(2019, true, "two thousand nineteen")]
    [InlineData(1950, false, "nineteen fifty")]
    public void Years_are_spelled_as_people_say_them(int year, bool alt, string expected) =>
        Assert.Equal(expected, SpelledNumbers.Year(year, alt));

    [Theory]
    [InlineData(1, "first", "1st")]
    [InlineData(12, "twelfth", "12th")]
    [InlineData(22, "twenty-second", "22nd")]
    [InlineData(30, "thirtieth", "30th")]
    [InlineData(31, "thirty-first", "31st")]
    public void Ordinals(int n, string word, string suffixed)
    {
        Assert.Equal(word, SpelledNumbers.Ordinal(n));
        Assert.Equal(suffixed, SpelledNumbers.Suffixed(n));
    }

    [Fact]
    public void Inputs_spread_over_short_and_long_buckets_and_targets_are_iso()
    {
        var pairs = DateTask.Generate(new Rng(2), 3000);
        Assert.All(pairs, p => Assert.Matches(@"^(19[5-9]\d|20[0-4]\d)-\d\d-\d\d$", p.Target));
        var byBucket = pairs.GroupBy(p => DateTask.Bucket(p.Source.Length)).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(byBucket.GetValueOrDefault("1-10") > 200, "short inputs");
        Assert.True(pairs.Count(p => p.Source.Length > 40) > 500, "long inputs");
        Assert.True(pairs.Max(p => p.Source.Length) > 70);
    }

    [Fact]
    public void Excluded_sources_never_appear()
    {
        var train = DateTask.Generate(new Rng(3), 2000);
        var exclude = train.Select(p => p.Source).ToHashSet();
        var test = DateTask.Generate(new Rng(4), 2000, exclude);
        Assert.DoesNotContain(test, p => exclude.Contains(p.Source));
    }
}

public class DateListTests
{
    [Fact]
    public void Lists_hold_one_to_n_dates_whose_iso_forms_are_the_target()
    {
        var pairs = DateTask.GenerateLists(new Rng(9), 400, 3);
        var counts = pairs.Select(p => p.Target.Split(' ').Length).ToList();
        Assert.Equal([1, 2, 3], counts.Distinct().Order());
        Assert.All(pairs, p => Assert.Matches(@"^\d{4}-\d\d-\d\d( \d{4}-\d\d-\d\d)*$", p.Target));
        Assert.Equal(DateTask.GenerateLists(new Rng(9), 400, 3), pairs);
        Assert.Equal(DateTask.Generate(new Rng(9), 50), DateTask.GenerateLists(new Rng(9), 50, 1));
    }
}
