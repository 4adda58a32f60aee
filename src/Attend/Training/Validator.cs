using System.Text;
using Attend.Decoding;
using Attend.Evaluation;
using Attend.Model;
using Attend.Tensors;
using Attend.Tensors.Distributed;

namespace Attend.Training;

/// <summary>One validation: teacher-forced loss and perplexity, greedy BLEU (sacreBLEU 13a) and exact match, a few samples.</summary>
public sealed record ValidationResult(long Step, double Loss, double Perplexity, double Bleu, double ExactMatch,
    IReadOnlyList<(string Source, string Reference, string Hypothesis)> Samples);

internal static class Validator
{
    public static ValidationResult Run(Seq2Seq model, TrainingData data, IReadOnlyList<Example> examples, long step, int samples, int batchSize) =>
        Run(model, data, examples, step, samples, batchSize, SingleProcess.Instance)!;

    /// <summary>
    /// A validation shared by the ranks of <paramref name="comm"/>: each rank scores and translates one contiguous
    /// block of the examples, and rank 0 sums the losses, gathers the translations (in order) and scores them.
    /// The result on rank 0 (the translations are those of one process; the loss differs in rounding only); null on the others.
    /// </summary>
    internal static ValidationResult? Run(Seq2Seq model, TrainingData data, IReadOnlyList<Example> examples, long step, int samples, int batchSize,
        ICommunicator comm)
    {
        int start = (int)((long)examples.Count * comm.Rank / comm.Size), end = (int)((long)examples.Count * (comm.Rank + 1) / comm.Size);
        var mine = comm.Size == 1 ? examples : examples.Skip(start).Take(end - start).ToList();
        var (nll, tokens) = TeacherForcedSums(model, mine, batchSize);
        var hyps = Translate(model, data, mine);
        // Training resumes now: the decoder's packed weights are not kept through it.
        PackedWeights.ReleaseSpares();
        if (comm.Size > 1)
        {
            Span<double> sums = [nll, tokens];
            comm.SumInPlace(sums);
            (nll, tokens) = (sums[0], (long)sums[1]);
            // A translation holds no line break (its tokens come from whitespace-split text), so LF separates them.
            var all = comm.Gather(Encoding.UTF8.GetBytes(string.Concat(hyps.Select(h => h + "\n"))));
            if (comm.Rank != 0) return null;
            hyps = examples.Count == 0 ? [] : Encoding.UTF8.GetString(all).Split('\n')[..examples.Count].ToList();
        }
        double loss = tokens == 0 ? double.NaN : nll / tokens;
        var refs = examples.Select(e => e.TargetText).ToList();
        double bleu = new Bleu(new BleuConfig()).Corpus(hyps, [refs]).Score;
        double exact = examples.Count == 0 ? 0 : (double)hyps.Where((h, i) => h == refs[i]).Count() / examples.Count;
        var shown = Enumerable.Range(0, Math.Min(samples, examples.Count)).Select(i => (examples[i].SourceText, refs[i], hyps[i])).ToList();
        return new ValidationResult(step, loss, Math.Exp(loss), bleu, exact, shown);
    }

    /// <summary>
    /// Mean cross-entropy (nats, no label smoothing) per target token including <c>&lt;/s&gt;</c>, with the gold
    /// previous tokens fed in (teacher forcing), over all examples; NaN when there are no target tokens.
    /// </summary>
    public static (double Loss, long Tokens) TeacherForcedLoss(Seq2Seq model, IReadOnlyList<Example> examples, int batchSize)
    {
        var (nll, tokens) = TeacherForcedSums(model, examples, batchSize);
        return (tokens == 0 ? double.NaN : nll / tokens, tokens);
    }

    /// <summary>The summed cross-entropy (nats) and the target tokens it is summed over.</summary>
    private static (double Nll, long Tokens) TeacherForcedSums(Seq2Seq model, IReadOnlyList<Example> examples, int batchSize)
    {
        using var noGrad = GradMode.Off();
        double nll = 0;
        long tokens = 0;
        for (int start = 0; start < examples.Count; start += batchSize)
        {
            using var scope = TensorScope.Begin();
            var idx = Enumerable.Range(start, Math.Min(batchSize, examples.Count - start));
            var m = model.Config;
            var batch = Seq2SeqBatch.FromPairs(idx.Select(i => examples[i].Source).ToList(), idx.Select(i => examples[i].Target).ToList(), m.PadId, m.BosId, m.EosId);
            long n = batch.TargetOut.Count(id => id != model.Config.PadId);
            nll += model.Loss(batch, ForwardOptions.Inference).Data[0] * (double)n;
            tokens += n;
        }
        return (nll, tokens);
    }

    /// <summary>Greedy translations of the examples' sources, detokenized.</summary>
    public static List<string> Translate(Seq2Seq model, TrainingData data, IReadOnlyList<Example> examples) =>
        Translator.Decode(model, examples.Select(e => e.Source).ToList(), new SearchOptions(BatchSize: 64))
            .Select(h => data.Text.Detokenize(data.TargetVocab.Decode(h[0].Tokens))).ToList();
}
