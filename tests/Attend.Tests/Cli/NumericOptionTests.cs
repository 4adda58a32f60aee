using System.CommandLine;
using System.Reflection;
using Attend.Cli.Commands;

namespace Attend.Tests.Cli;

/// <summary>
/// Every numeric option of every verb refuses text, NaN, infinities and out-of-range values with one line naming
/// the flag and its range (exit code 2), before the verb runs. The verbs are found by reflection, so a verb or an
/// option added later without a range fails here.
/// </summary>
public class NumericOptionTests
{
    private static readonly Type[] Numeric = [typeof(int), typeof(long), typeof(ulong), typeof(float), typeof(double)];

    private static RootCommand Root()
    {
        var root = new RootCommand();
        foreach (var t in typeof(CommandGuard).Assembly.GetTypes().Where(t => t.Namespace == typeof(CommandGuard).Namespace))
            if (t.GetMethod("Build", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes) is { ReturnType: var r } m && r == typeof(Command))
                root.Subcommands.Add((Command)m.Invoke(null, null)!);
        root.Options.Add(GlobalOptions.Verbose);
        return root;
    }

    private static (int Code, string Err) Run(RootCommand root, params string[] args)
    {
        var err = new StringWriter();
        int code = CommandGuard.Invoke(root, args, new InvocationConfiguration { Output = new StringWriter(), Error = err });
        return (code, err.ToString());
    }

    private static IEnumerable<(string[] Verb, Option Option)> NumericOptions(Command command, string[] path)
    {
        foreach (var o in command.Options)
            if (Numeric.Contains(Nullable.GetUnderlyingType(o.ValueType) ?? o.ValueType)) yield return (path, o);
        foreach (var sub in command.Subcommands)
            foreach (var x in NumericOptions(sub, [.. path, sub.Name])) yield return x;
    }

    [Fact]
    public void Every_numeric_option_refuses_text_nan_infinity_and_absurd_values_naming_the_flag()
    {
        var root = Root();
        var options = root.Subcommands.SelectMany(c => NumericOptions(c, [c.Name])).ToList();
        Assert.True(options.Count >= 30, $"found only {options.Count} numeric options");
        foreach (var (verb, option) in options)
        {
            foreach (var bad in new[] { "abc", "NaN", "Infinity", "-1e300", "1e300" })
            {
                var (code, err) = Run(root, [.. verb, option.Name, bad]);
                string where = $"{string.Join(' ', verb)} {option.Name} {bad}";
                Assert.True(code == 2, $"{where}: exit {code}");
                Assert.Contains($"attend {string.Join(' ', verb)}: {option.Name}: expected ", err);
                Assert.Contains($"got '{bad}'", err);
                Assert.DoesNotContain("System.", err);
            }
        }
    }

    [Fact]
    public void Translate_search_options_name_their_range()
    {
        var root = Root();
        Assert.Contains("--beam: expected an integer in 1..256, got '0'", Run(root, "translate", "--model", "x", "--beam", "0").Err);
        Assert.Contains("--beam: expected an integer in 1..256, got '-1'", Run(root, "translate", "--model", "x", "--beam", "-1").Err);
        Assert.Contains("--beam: expected an integer in 1..256, got '100000'", Run(root, "translate", "--model", "x", "--beam", "100000").Err);
        Assert.Contains("--alpha: expected a number in [0, 10], got 'NaN'", Run(root, "translate", "--model", "x", "--alpha", "NaN").Err);
        Assert.Contains("--max-ratio: expected a number in (0, 10], got '-5'", Run(root, "translate", "--model", "x", "--max-ratio", "-5").Err);
        Assert.Contains("--max-ratio: expected a number in (0, 10], got '0'", Run(root, "translate", "--model", "x", "--max-ratio", "0").Err);
        var (code, err) = Run(root, "translate", "--model", "x", "--beam", "abc");
        Assert.Equal(2, code);
        Assert.Equal("attend translate: --beam: expected an integer in 1..256, got 'abc'", err.Trim());
    }
}
