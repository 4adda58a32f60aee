using System.CommandLine;
using Attend.Evaluation;
using Attend.Plots;
using Spectre.Console;

namespace Attend.Cli.Commands;

/// <summary>Input handling shared by `evaluate` and `plot`: named systems, parallel files, console, error exits.</summary>
internal static class EvalInputs
{
    public const int BadInput = 2;

    /// <summary>"name=FILE" or "FILE" (named after the file). An existing path containing '=' stays a path.</summary>
    public static List<(string Name, string Path)> ParseSystems(IEnumerable<string> specs)
    {
        var list = new List<(string, string)>();
        foreach (var spec in specs)
        {
            int eq = spec.IndexOf('=');
            if (eq > 0 && !File.Exists(spec)) list.Add((spec[..eq], spec[(eq + 1)..]));
            else list.Add((Path.GetFileNameWithoutExtension(spec), spec));
        }
        return list;
    }

    /// <summary>Reads the systems and references and checks every file has the same number of lines.</summary>
    public static (List<(string Name, string Path, IReadOnlyList<string> Lines)> Systems, List<IReadOnlyList<string>> Refs) Load(
        IReadOnlyList<(string Name, string Path)> systems, IReadOnlyList<string> refPaths)
    {
        if (systems.Count == 0) throw new EvaluationInputException("no hypothesis given (use --hyp FILE or --hyp name=FILE)");
        if (refPaths.Count == 0) throw new EvaluationInputException("no reference given (use --ref FILE, repeatable)");
        var refs = refPaths.Select(p => (IReadOnlyList<string>)SegmentFile.Read(p)).ToList();
        var loaded = systems.Select(s => (s.Name, s.Path, (IReadOnlyList<string>)SegmentFile.Read(s.Path))).ToList();
        foreach (var (_, path, lines) in loaded)
            for (int r = 0; r < refs.Count; r++)
                if (refs[r].Count != lines.Count)
                    throw new EvaluationInputException(
                        $"line count mismatch: hypothesis {path} has {lines.Count} lines but reference {refPaths[r]} has {refs[r].Count}");
        return (loaded, refs);
    }

    public static IReadOnlyList<string> LoadSource(string? path, int expected)
    {
        if (path is null) throw new EvaluationInputException("--by-length needs --source FILE (lengths are counted on the source)");
        var src = SegmentFile.Read(path);
        if (src.Count != expected)
            throw new EvaluationInputException($"line count mismatch: source {path} has {src.Count} lines but the hypotheses have {expected}");
        return src;
    }

    public static IAnsiConsole Console(TextWriter writer)
    {
        // Colours only on a real terminal: a file or pipe gets plain text (and a wide table instead of wrapping).
        bool terminal = ReferenceEquals(writer, System.Console.Out) && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal) console.Profile.Width = 200;
        return console;
    }

    /// <summary>Runs a verb body; input errors print one line to stderr and exit 2, without a stack trace.</summary>
    public static int Guard(ParseResult pr, string verb, Func<TextWriter, int> body) =>
        CommandGuard.Run(pr, verb, (output, _) => body(output));
}
