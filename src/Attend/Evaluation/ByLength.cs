using Attend.Evaluation.Tokenizers;

namespace Attend.Evaluation;

/// <summary>One system's scores on one length bucket. Scores are null when the bucket is empty.</summary>
internal sealed record BucketScore(string Bucket, int Min, int? Max, int Sentences, double? Bleu, double? Chrf, double? LengthRatio);

/// <summary>One system's row set: per bucket, then the whole test set.</summary>
internal sealed record SystemByLength(string Name, IReadOnlyList<BucketScore> Buckets, BucketScore Overall);

/// <summary>Several systems scored on the same source/reference buckets: the table behind Bahdanau et al.'s Figure 2.</summary>
internal sealed record ByLengthTable(IReadOnlyList<string> BucketLabels, IReadOnlyList<int> BucketSentences, IReadOnlyList<SystemByLength> Systems);

/// <summary>
/// BLEU and chrF by source-sentence length: sentences are grouped by the word count of their source, and each
/// group is scored as a corpus of its own (corpus BLEU of the group, not the mean of sentence BLEUs). The
/// length ratio is hypothesis tokens over closest-reference tokens (BLEU's sys_len/ref_len) in the group.
/// </summary>
internal static class ByLength
{
    public static ByLengthTable Score(
        IReadOnlyList<string> sources,
        IReadOnlyList<(string Name, IReadOnlyList<string> Hyps)> systems,
        IReadOnlyList<IReadOnlyList<string>> refStreams,
        LengthBuckets buckets,
        BleuConfig? bleuConfig = null,
        ChrfConfig? chrfConfig = null)
    {
        foreach (var (name, hyps) in systems)
        {
            if (hyps.Count != sources.Count)
                throw new EvaluationInputException($"system '{name}' has {hyps.Count} lines but the source has {sources.Count}");
            EvaluationInput.CheckParallel(hyps, refStreams);
        }
        var bleu = new Bleu(bleuConfig ?? new BleuConfig());
        var chrf = new Chrf(chrfConfig ?? new ChrfConfig());

        var members = new List<int>[buckets.Count];
        for (int b = 0; b < buckets.Count; b++) members[b] = [];
        for (int i = 0; i < sources.Count; i++) members[buckets.IndexOf(PyText.Split(sources[i]).Count)].Add(i);

        var labels = Enumerable.Range(0, buckets.Count).Select(buckets.Label).ToArray();
        var results = new List<SystemByLength>();
        foreach (var (name, hyps) in systems)
        {
            var rows = new List<BucketScore>();
            for (int b = 0; b < buckets.Count; b++)
                rows.Add(ScoreSubset(labels[b], buckets.Min(b), buckets.Max(b), members[b], hyps, refStreams, bleu, chrf));
            var all = Enumerable.Range(0, sources.Count).ToList();
            results.Add(new SystemByLength(name, rows, ScoreSubset("all", 0, null, all, hyps, refStreams, bleu, chrf)));
        }
        return new ByLengthTable(labels, members.Select(m => m.Count).ToArray(), results);
    }

    private static BucketScore ScoreSubset(string label, int min, int? max, List<int> idx, IReadOnlyList<string> hyps,
        IReadOnlyList<IReadOnlyList<string>> refStreams, Bleu bleu, Chrf chrf)
    {
        if (idx.Count == 0) return new BucketScore(label, min, max, 0, null, null, null);
        var h = idx.Select(i => hyps[i]).ToArray();
        var r = refStreams.Select(s => (IReadOnlyList<string>)idx.Select(i => s[i]).ToArray()).ToArray();
        var b = bleu.Corpus(h, r);
        double? ratio = b.RefLen > 0 ? (double)b.SysLen / b.RefLen : null;
        return new BucketScore(label, min, max, idx.Count, b.Score, chrf.Corpus(h, r).Score, ratio);
    }
}
