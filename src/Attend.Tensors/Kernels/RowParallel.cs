namespace Attend.Tensors.Kernels;

/// <summary>
/// Splits row-wise work into fixed chunks of rows and runs them on up to <see cref="Parallelism.MaxThreads"/>
/// threads (the GEMM's workers, <see cref="GemmThreads.For"/>) when the work is large enough to pay for the
/// hop. The chunks do not depend on the thread count, so a caller that reduces per chunk and then over
/// chunks in order gets the same bits with 1 or N threads.
/// </summary>
internal static class RowParallel
{
    /// <summary>
    /// Below this many elements one thread is faster than handing work to another (the workers spin between
    /// calls, so a hand-over costs a few microseconds: a GRU step's gates over [64, 4·256] already pay).
    /// </summary>
    public const long MinParallelElements = 1 << 16;

    /// <summary>
    /// Rows per chunk for work whose rows are all independent (nothing summed over chunks, so the chunking
    /// may follow the thread count): two chunks per thread, at least <paramref name="minRows"/> rows each.
    /// </summary>
    public static int TwoChunksPerThread(int rows, int minRows = 1)
    {
        int chunks = 2 * Parallelism.MaxThreads;
        return Math.Max(minRows, (rows + chunks - 1) / chunks);
    }

    /// <summary>Number of chunks <see cref="For"/> will run for <paramref name="rows"/> rows.</summary>
    public static int Chunks(int rows, int chunkRows) => (rows + chunkRows - 1) / chunkRows;

    /// <summary>Calls body(chunk, firstRow, endRow) once per chunk of <paramref name="chunkRows"/> rows.</summary>
    public static void For(int rows, int cols, int chunkRows, Action<int, int, int> body)
    {
        int chunks = Chunks(rows, chunkRows);
        if (Parallelism.MaxThreads == 1 || chunks <= 1 || (long)rows * cols < MinParallelElements)
        {
            for (int c = 0; c < chunks; c++) body(c, c * chunkRows, Math.Min(rows, (c + 1) * chunkRows));
            return;
        }
        GemmThreads.For(chunks, c => body(c, c * chunkRows, Math.Min(rows, (c + 1) * chunkRows)));
    }
}
