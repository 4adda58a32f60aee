namespace Attend.Evaluation.Alignment;

/// <summary>
/// Corpus-level alignment quality (Och &amp; Ney 2003), with A the hypothesis links, S the sure and P the possible
/// gold links (S ⊆ P): precision |A∩P|/|A|, recall |A∩S|/|S|, AER 1 − (|A∩S| + |A∩P|)/(|A| + |S|).
/// Counts are summed over sentences before dividing.
/// </summary>
internal sealed record AlignmentScore(long Hypothesis, long Sure, long HypAndSure, long HypAndPossible)
{
    public double Precision => Hypothesis == 0 ? 0.0 : (double)HypAndPossible / Hypothesis;
    public double Recall => Sure == 0 ? 0.0 : (double)HypAndSure / Sure;
    public double Aer => Hypothesis + Sure == 0 ? 0.0 : 1.0 - (double)(HypAndSure + HypAndPossible) / (Hypothesis + Sure);
}

internal static class AlignmentMetrics
{
    public static AlignmentScore Score(IReadOnlyList<IReadOnlyCollection<AlignmentLink>> hyp, IReadOnlyList<GoldSentence> gold)
    {
        if (hyp.Count != gold.Count)
            throw new EvaluationInputException($"hypothesis alignments have {hyp.Count} sentences but the gold has {gold.Count}");
        long a = 0, s = 0, aS = 0, aP = 0;
        for (int i = 0; i < hyp.Count; i++)
        {
            var links = hyp[i].ToHashSet();
            a += links.Count;
            s += gold[i].Sure.Count;
            foreach (var l in links)
            {
                if (gold[i].Sure.Contains(l)) aS++;
                if (gold[i].Possible.Contains(l)) aP++;
            }
        }
        return new AlignmentScore(a, s, aS, aP);
    }
}
