using System.CommandLine;

namespace Attend.Cli.Commands;

/// <summary>Options every verb accepts.</summary>
internal static class GlobalOptions
{
    /// <summary>Show the stack trace of an unexpected error (user errors are one line either way).</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "On an unexpected error, print its stack trace (user errors stay one line)",
        Recursive = true,
    };

    /// <summary>Whether --verbose was given (false when the command tree does not carry the option, as in tests).</summary>
    public static bool IsVerbose(ParseResult pr) => pr.GetResult(Verbose) is not null && pr.GetValue(Verbose);
}
