namespace Attend.Bench;

/// <summary>Dispatches to a benchmark suite by name.</summary>
public static class BenchMain
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine("usage: Attend.Bench <suite> [options]\n\nsuites:\n  (none yet)");
            return args.Length == 0 ? 2 : 0;
        }
        Console.Error.WriteLine($"unknown suite '{args[0]}' (try --help)");
        return 2;
    }
}
