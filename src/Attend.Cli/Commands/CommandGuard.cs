using System.CommandLine;
using Attend.Config;
using Attend.Tensors.Distributed;
using Attend.Text;

namespace Attend.Cli.Commands;

/// <summary>
/// How `attend` fails. A user error (a bad flag, config, file, checkpoint or input line) is one line on stderr,
/// "attend VERB: what is wrong", and exit code 2. Anything else is a bug: one line naming the exception and
/// exit code 70, with the stack trace only under --verbose. On one rank of an MPI job the line names the rank,
/// and the whole job ends with MPI_Abort (the other ranks would otherwise wait for this one in a collective).
/// </summary>
internal static class CommandGuard
{
    public const int BadInput = 2, Internal = 70, Interrupted = 130;

    /// <summary>Parses and runs; parse errors (unknown flags, values out of range) are one line each, exit code 2.</summary>
    public static int Invoke(RootCommand root, string[] args, InvocationConfiguration? config = null)
    {
        var pr = root.Parse(args);
        // A bare `attend` keeps System.CommandLine's answer: the list of verbs.
        if (pr.Errors.Count == 0 || args.Length == 0) return pr.Invoke(config);
        var err = config?.Error ?? pr.InvocationConfiguration.Error;
        foreach (var e in pr.Errors) err.WriteLine($"{Prefix(pr.CommandResult.Command)}: {e.Message.ReplaceLineEndings(" ")}");
        return BadInput;
    }

    private static string Prefix(Command command)
    {
        var names = new List<string>();
        for (var c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
            names.Insert(0, c.Name);
        return string.Join(' ', ["attend", .. names]);
    }

    public static int Run(ParseResult pr, string verb, Func<TextWriter, TextWriter, int> body)
    {
        var err = pr.InvocationConfiguration.Error;
        try
        {
            return body(pr.InvocationConfiguration.Output, err);
        }
        catch (Exception e) when (IsUserError(e))
        {
            err.WriteLine($"{Who(verb)}: {e.Message.ReplaceLineEndings(" ")}");
            return Ended(err, BadInput);
        }
        catch (Exception e) when (GlobalOptions.IsVerbose(pr))
        {
            err.WriteLine($"{Who(verb)}: unexpected error: {e}");
            return Ended(err, Internal);
        }
        catch (Exception e)
        {
            err.WriteLine($"{Who(verb)}: unexpected error ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}); " +
                          "run again with --verbose for the stack trace");
            return Ended(err, Internal);
        }
    }

    private static string Who(string verb) =>
        Communicator.Active is { Size: > 1 } c ? $"attend {verb} (rank {c.Rank} of {c.Size})" : $"attend {verb}";

    /// <summary>The exit code; on a rank of an MPI job, MPI_Abort with it, which ends every rank (and does not return).</summary>
    private static int Ended(TextWriter err, int code)
    {
        if (Communicator.Active is not { Size: > 1 } c) return code;
        err.Flush();
        c.Abort(code);
        return code;
    }

    private static bool IsUserError(Exception e) =>
        e is ConfigException or ModelLoadException or InvalidDataException or TextDataException or IOException or UnauthorizedAccessException
            or ArgumentException or Evaluation.EvaluationInputException or Plots.PlotInputException;
}
