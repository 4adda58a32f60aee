using System.Runtime.InteropServices;

namespace Attend.Evaluation.Alignment;

/// <summary>Hard word alignments from a soft attention matrix <c>weights[t][s]</c> (T rows of S source weights).</summary>
internal static class HardAlignment
{
    /// <summary>Each target word links to its most-attended source word (the first on a tie).</summary>
    public static List<AlignmentLink> Argmax(IReadOnlyList<IReadOnlyList<float>> weights)
    {
        var links = new List<AlignmentLink>(weights.Count);
        for (int t = 0; t < weights.Count; t++)
        {
            var row = weights[t];
            if (row.Count == 0) continue;
            links.Add(new AlignmentLink(MostAttended(row is float[] a ? a : [.. row]), t));
        }
        return links;
    }

    /// <summary>The index of the largest weight of a non-empty row (the first on a tie).</summary>
    public static int MostAttended(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int s = 1; s < row.Length; s++) if (row[s] > row[best]) best = s;
        return best;
    }

    /// <summary>The source position that target row <paramref name="t"/> of <c>attention[T, S]</c> attends to most (0 when S = 0).</summary>
    public static int MostAttended(float[,] attention, int t) => attention.GetLength(1) == 0 ? 0
        : MostAttended(MemoryMarshal.CreateReadOnlySpan(ref attention[t, 0], attention.GetLength(1)));

    /// <summary>Every (s, t) whose weight is at least <paramref name="threshold"/>; a target word may get 0..S links.</summary>
    public static List<AlignmentLink> Threshold(IReadOnlyList<IReadOnlyList<float>> weights, float threshold)
    {
        var links = new List<AlignmentLink>();
        for (int t = 0; t < weights.Count; t++)
            for (int s = 0; s < weights[t].Count; s++)
                if (weights[t][s] >= threshold) links.Add(new AlignmentLink(s, t));
        return links;
    }
}
