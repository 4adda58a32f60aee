using Attend.Config;
using Attend.Model;
using Attend.Tensors;
using Attend.Training;

namespace Attend.Tests.Training;

public class AccumulationTests
{
    /// <summary>The tiny demo data and a model with dropout off, so two forward passes see the same network.</summary>
    private static (TrainingData Data, Seq2Seq Model, List<(int[] Source, int[] Target)> Pairs) Setup(ulong seed)
    {
        var config = ConfigLoader.Load(ConfigLoader.ToYaml(TrainerTests.Tiny("unused", 1)), "tiny", ["model.dropout=0"]);
        var data = TrainingData.Load(config);
        var model = Seq2Seq.Create(config.ModelFor(data.SourceVocab.Count, data.TargetVocab.Count), seed);
        return (data, model, data.Train.All().Take(24).ToList());
    }

    private static Seq2SeqBatch Batch(Seq2Seq m, IEnumerable<(int[] Source, int[] Target)> pairs)
    {
        var list = pairs.ToList();
        return Seq2SeqBatch.FromPairs(list.Select(p => p.Source).ToList(), list.Select(p => p.Target).ToList(), m.Config.PadId, m.Config.BosId, m.Config.EosId);
    }

    private static long Tokens(Seq2SeqBatch b, Seq2Seq m) => b.TargetOut.Count(id => id != m.Config.PadId);

    private static (double Loss, Dictionary<string, float[]> Grads) Gradients(Seq2Seq m, IReadOnlyList<Seq2SeqBatch> batches)
    {
        m.ZeroGrad(setToNone: true);
        using var scope = TensorScope.Begin();
        double loss = GradientStep.Accumulate(m, batches, batches.Select(b => Tokens(b, m)).ToList(), ForwardOptions.Eval, 0.1f);
        return (loss, m.NamedParameters().ToDictionary(p => p.Name, p => p.Param.Grad!.ToArray()));
    }

    [Fact]
    public void Three_accumulated_batches_give_the_gradient_and_loss_of_one_batch_of_all_their_pairs()
    {
        var (_, model, pairs) = Setup(11);
        var (bigLoss, big) = Gradients(model, [Batch(model, pairs)]);
        // Uneven parts with different lengths: the weights by target tokens matter.
        var (accLoss, acc) = Gradients(model, [Batch(model, pairs.Take(5)), Batch(model, pairs.Skip(5).Take(12)), Batch(model, pairs.Skip(17))]);
        Assert.Equal(bigLoss, accLoss, 5);
        foreach (var (name, g) in big)
        {
            double max = g.Max(Math.Abs), diff = g.Zip(acc[name], (a, b) => (double)Math.Abs(a - b)).Max();
            Assert.True(diff <= 1e-5 * max + 1e-9, $"{name}: max |Δ| {diff:G3} against max |g| {max:G3}");
        }
    }

    [Fact]
    public void A_plain_sum_of_batch_means_would_differ()
    {
        // The check above is not vacuous: averaging the parts' mean losses without their token weights gives
        // another gradient on these uneven parts.
        var (_, model, pairs) = Setup(11);
        var (_, big) = Gradients(model, [Batch(model, pairs)]);
        var parts = new[] { Batch(model, pairs.Take(5)), Batch(model, pairs.Skip(5)) };
        model.ZeroGrad(setToNone: true);
        using (TensorScope.Begin())
            GradientStep.Accumulate(model, parts, [1, 1], ForwardOptions.Eval, 0.1f);
        var name = big.Keys.First();
        var g = model.NamedParameters().Single(p => p.Name == name).Param.Grad!.ToArray();
        Assert.True(g.Zip(big[name], (a, b) => Math.Abs(a - b)).Max() > 1e-4 * big[name].Max(Math.Abs));
    }
}
