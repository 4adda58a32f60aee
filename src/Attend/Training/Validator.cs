using Attend.Decoding;
using Attend.Evaluation;
using Attend.Model;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>One validation: teacher-forced loss and perplexity, greedy BLEU (sacreBLEU 13a) and exact match, a few samples.</summary>
public sealed record ValidationResult(long Step, double Loss, double Perplexity, double Bleu, double ExactMatch,
    IReadOnlyList<(string Source, string Reference, string Hypothesis)> Samples);

internal static class Validator
{
    public static ValidationResult Run(Seq2Seq model, TrainingData data, IReadOnlyList<Example> examples, long step, int samples, int batchSize)
    {
        double loss = TeacherForcedLoss(model, examples, batchSize).Loss;
        var hyps = Translate(model, data, examples);
        // Training resumes now: the decoder's packed weights are not kept through it.
        PackedWeights.ReleaseSpares();
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
        return (tokens == 0 ? double.NaN : nll / tokens, tokens);
    }

    /// <summary>Greedy translations of the examples' sources, detokenized.</summary>
    public static List<string> Translate(Seq2Seq model, TrainingData data, IReadOnlyList<Example> examples) =>
        Translator.Decode(model, examples.Select(e => e.Source).ToList(), new SearchOptions(BatchSize: 64))
            .Select(h => data.Text.Detokenize(data.TargetVocab.Decode(h[0].Tokens))).ToList();
}
