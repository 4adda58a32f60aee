using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Attend.Cli.Commands;

/// <summary>
/// Every numeric option of every verb is made here, with its valid range: the value is parsed with the invariant
/// culture, NaN and infinities are refused, and anything out of range (or not a number at all) is one line naming
/// the flag and the range, e.g. "--beam: expected an integer in 1..256, got 'abc'". The range is also shown in
/// `--help`.
/// </summary>
internal static class NumericOption
{
    /// <summary>An option with a default value.</summary>
    public static Option<T> Create<T>(string name, string description, T min, T max, T defaultValue,
        bool minExclusive = false, bool maxExclusive = false, params string[] aliases)
        where T : struct, INumber<T>
    {
        var range = new Range<T>(min, max, minExclusive, maxExclusive);
        var option = new Option<T>(name, aliases) { Description = $"{description} [range: {range}]", DefaultValueFactory = _ => defaultValue };
        option.CustomParser = r => r.Tokens.Count == 0 ? defaultValue : Parse(r, name, range) ?? defaultValue;
        return option;
    }

    /// <summary>An option that is null when not given (the verb then uses e.g. the run's config).</summary>
    public static Option<T?> Optional<T>(string name, string description, T min, T max,
        bool minExclusive = false, bool maxExclusive = false, params string[] aliases)
        where T : struct, INumber<T>
    {
        var range = new Range<T>(min, max, minExclusive, maxExclusive);
        var option = new Option<T?>(name, aliases) { Description = $"{description} [range: {range}]" };
        option.CustomParser = r => r.Tokens.Count == 0 ? null : Parse(r, name, range);
        return option;
    }

    private static T? Parse<T>(ArgumentResult result, string name, Range<T> range) where T : struct, INumber<T>
    {
        string text = result.Tokens[^1].Value;
        var style = Range<T>.Integral ? NumberStyles.Integer : NumberStyles.Float;
        if (T.TryParse(text, style, CultureInfo.InvariantCulture, out T value) && T.IsFinite(value) && range.Contains(value))
            return value;
        result.AddError($"{name}: expected {range.Expected}, got '{text}'");
        return null;
    }

    /// <summary>[Min, Max], either end possibly open; integers are written Min..Max.</summary>
    private readonly record struct Range<T>(T Min, T Max, bool MinExclusive, bool MaxExclusive) where T : struct, INumber<T>
    {
        public static bool Integral => typeof(T) != typeof(double) && typeof(T) != typeof(float) && typeof(T) != typeof(decimal);

        public bool Contains(T v) => (MinExclusive ? v > Min : v >= Min) && (MaxExclusive ? v < Max : v <= Max);

        public string Expected => Integral ? $"an integer in {this}" : $"a number in {this}";

        public override string ToString()
        {
            var ic = CultureInfo.InvariantCulture;
            if (Integral) return string.Create(ic, $"{Min}..{Max}");
            return string.Create(ic, $"{(MinExclusive ? '(' : '[')}{Min}, {Max}{(MaxExclusive ? ')' : ']')}");
        }
    }
}
