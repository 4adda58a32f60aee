namespace Attend.Bench;

/// <summary>Dispatches to a benchmark suite by name.</summary>
public static class BenchMain
{
    private const string Help = """
        usage: Attend.Bench <suite> [options]   (each suite takes --help)

        suites:
          gemm   matrix-product GFLOP/s at the model's shapes, 1 and 2 threads [--threads N] [--reps R] [--cpu-time] [--few-rows] | --peak
          int8   int8 against fp32 GEMM at the decoder's shapes, 1 and 2 threads [--threads N] [--reps R] [--kernel K] | --peak
          cells  fused GRU/LSTM gate kernels, and managed bytes per scoped training step [--batch B --hidden H]
          ops    element-wise driver per SIMD width, cross-entropy and masked softmax on 1 and 2 threads
          peer   the side-by-side run against the PyTorch reference, bench/pytorch/torch_peer.py (same flags, same JSON keys)
          translate  attend translate's search (greedy or beam) on random sentences with a random big model [--beam K] [--batch B] [--models M]
          bandwidth  read bandwidth from memory on 1 and 2 threads (the roofline of one-sentence decoding)
          corpus write a synthetic Zipfian parallel corpus for the data-path benchmarks --out DIR [--pairs N]
          allreduce  MPI all-reduce of a gradient-sized float buffer, under mpirun [--floats F] [--reps R] [--bucket B]
          serve  load test of attend serve on loopback, with and without request batching --model RUN [--requests N --concurrency C]
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Help);
            return args.Length == 0 ? 2 : 0;
        }
        string[] rest = args[1..];
        switch (args[0])
        {
            case "gemm": return GemmBench.Run(rest);
            case "int8": return Int8Bench.Run(rest);
            case "cells": return CellsBench.Run(args);
            case "ops": return OpsBench.Run(rest);
            case "peer": return PeerBench.Run(rest);
            case "serve": return ServeBench.Run(rest);
            case "bandwidth": return Bandwidth.Run(rest);
            case "translate": return TranslateBench.Run(rest);
            case "corpus": return SyntheticCorpus.Run(rest);
            case "allreduce": return AllReduceBench.Run(rest);
            default:
                Console.Error.WriteLine($"unknown suite '{args[0]}' (try --help)");
                return 2;
        }
    }
}
