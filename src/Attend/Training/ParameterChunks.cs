using Attend.Tensors;

namespace Attend.Training;

/// <summary>
/// The parameters' flat arrays cut into fixed slices of <see cref="ChunkSize"/> elements, for the optimizer and
/// gradient clipping to run on <see cref="Parallelism.MaxThreads"/> threads. The slices do not depend on the
/// thread count, and reductions combine per-slice results in slice order, so 1 and N threads give the same bits.
/// </summary>
internal static class ParameterChunks
{
    public const int ChunkSize = 1 << 16;

    /// <summary>Below this many elements in all, one thread is faster than waking others.</summary>
    private const long MinParallelElements = 1 << 18;

    /// <summary>(index into <paramref name="parameters"/>, offset, length) of every slice, parameter by parameter.</summary>
    public static List<(int Param, int Offset, int Length)> Of(IReadOnlyList<Tensor> parameters)
    {
        var chunks = new List<(int, int, int)>();
        for (int i = 0; i < parameters.Count; i++)
            for (int o = 0; o < parameters[i].Length; o += ChunkSize)
                chunks.Add((i, o, Math.Min(ChunkSize, parameters[i].Length - o)));
        return chunks;
    }

    /// <summary>
    /// The slice [offset, offset + length) of a gradient kept as rows (<see cref="RowGradient"/>), cut at row
    /// boundaries: body(position, row's gradient from that position on, or empty when the row has none (zero), count).
    /// </summary>
    public delegate void RowSegment(int position, Span<float> gradient, int count);

    public static void ForRows(RowGradient rows, int offset, int length, RowSegment body)
    {
        int w = rows.Width;
        for (int pos = offset, end = offset + length; pos < end;)
        {
            int row = pos / w, inRow = pos - row * w, n = Math.Min(w - inRow, end - pos);
            var g = rows.Row(row);
            body(pos, g.IsEmpty ? default : g.Slice(inRow, n), n);
            pos += n;
        }
    }

    /// <summary>Runs body(slice index) for every slice, on several threads when the parameters are large.</summary>
    public static void For(List<(int Param, int Offset, int Length)> chunks, long totalElements, Action<int> body)
    {
        if (Parallelism.MaxThreads == 1 || chunks.Count <= 1 || totalElements < MinParallelElements)
        {
            for (int c = 0; c < chunks.Count; c++) body(c);
            return;
        }
        Attend.Tensors.Kernels.GemmThreads.For(chunks.Count, body);
    }
}
