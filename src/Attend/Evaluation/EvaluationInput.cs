namespace Attend.Evaluation;

internal static class EvaluationInput
{
    public static void CheckParallel(IReadOnlyList<string> hyps, IReadOnlyList<IReadOnlyList<string>> refStreams)
    {
        if (refStreams.Count == 0) throw new EvaluationInputException("at least one reference stream is needed");
        for (int r = 0; r < refStreams.Count; r++)
            if (refStreams[r].Count != hyps.Count)
                throw new EvaluationInputException(
                    $"hypothesis has {hyps.Count} lines but reference {r + 1} has {refStreams[r].Count}");
    }
}
