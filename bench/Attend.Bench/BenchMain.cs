namespace Attend.Bench;

/// <summary>Dispatches to a benchmark suite by name.</summary>
public static class BenchMain
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine("usage: Attend.Bench <suite> [options]\n\nsuites:\n  cells   fused GRU/LSTM gate kernels [--batch B --hidden H]");
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] == "cells") return CellsBench.Run(args);
        Console.Error.WriteLine($"unknown suite '{args[0]}' (try --help)");
        return 2;
    }
}
