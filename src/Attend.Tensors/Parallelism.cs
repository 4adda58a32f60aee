namespace Attend.Tensors;

/// <summary>How many threads kernels may use (the GEMM splits work across them when it is large enough).</summary>
public static class Parallelism
{
    private static int _maxThreads = Environment.ProcessorCount;

    /// <summary>Upper bound on threads per kernel call; 1 runs everything on the calling thread.</summary>
    public static int MaxThreads
    {
        get => _maxThreads;
        set => _maxThreads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least 1 thread");
    }
}
