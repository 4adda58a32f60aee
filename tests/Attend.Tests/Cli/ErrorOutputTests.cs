using System.CommandLine;
using Attend.Cli.Commands;
using Attend.Config;

namespace Attend.Tests.Cli;

/// <summary>A user error is one line and exit code 2; an unexpected error is one line and exit code 70, its stack trace only under --verbose.</summary>
public class ErrorOutputTests
{
    private static (int Code, string Err) Run(Exception thrown, params string[] args)
    {
        var cmd = new Command("probe");
        cmd.SetAction(pr => CommandGuard.Run(pr, "probe", (_, _) => throw thrown));
        var root = new RootCommand { cmd };
        root.Options.Add(GlobalOptions.Verbose);
        var err = new StringWriter();
        int code = CommandGuard.Invoke(root, ["probe", .. args], new InvocationConfiguration { Output = new StringWriter(), Error = err });
        return (code, err.ToString());
    }

    [Fact]
    public void User_errors_are_one_line_with_exit_code_2_even_with_verbose()
    {
        foreach (var args in new[] { Array.Empty<string>(), ["--verbose"] })
        {
            var (code, err) = Run(new ConfigException("training.lr: expected a positive number,\ngot \"x\""), args);
            Assert.Equal(CommandGuard.BadInput, code);
            Assert.Equal("attend probe: training.lr: expected a positive number, got \"x\"", err.Trim());
        }
    }

    [Fact]
    public void Unexpected_errors_are_one_line_and_show_the_trace_only_under_verbose()
    {
        var (code, err) = Run(new InvalidOperationException("the tensor pool is empty"));
        Assert.Equal(CommandGuard.Internal, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("attend probe: unexpected error (InvalidOperationException: the tensor pool is empty)", err);
        Assert.Contains("--verbose", err);
        Assert.DoesNotContain("   at ", err);

        (code, err) = Run(new InvalidOperationException("the tensor pool is empty"), "--verbose");
        Assert.Equal(CommandGuard.Internal, code);
        Assert.Contains("   at ", err);
        Assert.Contains($"{nameof(ErrorOutputTests)}.", err); // the frame that threw
    }
}
