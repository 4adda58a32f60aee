using System.CommandLine;
using Attend.Config;
using Attend.Text;

namespace Attend.Cli.Commands;

/// <summary>Runs the body of a verb; bad input (config, data, checkpoint) is one line on stderr and exit code 2.</summary>
internal static class CommandGuard
{
    public const int BadInput = 2, Interrupted = 130;

    public static int Run(ParseResult pr, string verb, Func<TextWriter, TextWriter, int> body)
    {
        var err = pr.InvocationConfiguration.Error;
        try
        {
            return body(pr.InvocationConfiguration.Output, err);
        }
        catch (Exception e) when (e is ConfigException or InvalidDataException or TextDataException or IOException
                                      or UnauthorizedAccessException or ArgumentException
                                      or Evaluation.EvaluationInputException or Plots.PlotInputException)
        {
            err.WriteLine($"attend {verb}: {e.Message}");
            return BadInput;
        }
    }
}
