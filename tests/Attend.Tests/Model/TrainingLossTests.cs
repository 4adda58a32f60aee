using Attend.Attention;
using Attend.Model;
using Attend.Nn;
using Attend.Tensors;

namespace Attend.Tests.Model;

/// <summary>
/// <see cref="Seq2Seq.Loss"/> (the trainer's path: padded positions never projected onto the vocabulary)
/// against <see cref="Seq2Seq.Forward"/> then cross-entropy over the full [B, T, V] logits.
/// </summary>
public class TrainingLossTests
{
    public static TheoryData<string> Cases()
    {
        var d = new TheoryData<string>();
        foreach (var k in TinyModels.AllKinds) d.Add(k.ToString());
        d.Add("tied");
        d.Add("feeding");
        return d;
    }

    private static ModelConfig ConfigOf(string name) => name switch
    {
        "tied" => TinyModels.Config(AttentionKind.Bahdanau, emb: 6) with { TieEmbeddings = true },
        "feeding" => TinyModels.Config(AttentionKind.LuongDot, RnnKind.Lstm) with { InputFeeding = true, Readout = Readout.StateContextEmbedding },
        _ => TinyModels.Config(Enum.Parse<AttentionKind>(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Equals_forward_then_cross_entropy_in_loss_and_every_gradient(string name)
    {
        var config = ConfigOf(name);
        var model = TinyModels.Model(config, seed: 4);
        // Lengths 1..7 in one batch: most rows of the short sentences are padding.
        var batch = TinyModels.Batch(config, [5, 2, 6, 3], [7, 1, 4, 2], seed: 8);
        foreach (float smoothing in new[] { 0f, 0.1f })
        {
            model.ZeroGrad();
            var output = model.Forward(batch);
            var reference = Ops.CrossEntropy(output.Logits, batch.TargetOut, config.PadId, smoothing);
            reference.Backward();
            var expected = model.NamedParameters().ToDictionary(p => p.Name, p => p.Param.HasGrad ? p.Param.Grad.ToArray() : null);

            model.ZeroGrad();
            var (loss, weights) = model.Loss(batch, labelSmoothing: smoothing);
            Assert.Equal(reference.Item(), loss.Item(), 5);
            if (output.Weights is not null) Assert.Equal(output.Weights.Data.ToArray(), weights!.Data.ToArray());
            loss.Backward();
            foreach (var (pname, p) in model.NamedParameters())
            {
                var e = expected[pname];
                if (e is null) { Assert.False(p.HasGrad && p.Grad.ToArray().Any(g => g != 0), $"{pname}: gradient where the reference has none"); continue; }
                var a = p.Grad.ToArray();
                float scale = Math.Max(1e-3f, e.Max(MathF.Abs));
                for (int i = 0; i < e.Length; i++)
                    Assert.True(MathF.Abs(a[i] - e[i]) <= 1e-5f * scale, $"{pname}[{i}] (ε = {smoothing}): {a[i]} vs {e[i]}");
            }
        }
    }

    [Fact]
    public void Under_scheduled_sampling_it_reads_the_steps_logits_and_equals_forward()
    {
        var config = TinyModels.Config(AttentionKind.Bahdanau);
        var model = TinyModels.Model(config, seed: 5);
        var batch = TinyModels.Batch(config, [3, 4], [5, 2], seed: 9);
        float forward = Ops.CrossEntropy(model.Forward(batch, new ForwardOptions(new Rng(3), 0.5f)).Logits, batch.TargetOut, 0, 0.1f).Item();
        float loss = model.Loss(batch, new ForwardOptions(new Rng(3), 0.5f), 0.1f).Loss.Item();
        Assert.Equal(forward, loss);
    }
}
