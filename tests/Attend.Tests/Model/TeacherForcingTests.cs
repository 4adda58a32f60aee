using Attend.Attention;
using Attend.Model;
using Attend.Tensors;

namespace Attend.Tests.Model;

public class TeacherForcingTests
{
    [Theory]
    [InlineData(AttentionKind.Bahdanau)]
    [InlineData(AttentionKind.LuongGeneral)]
    public void Scheduled_feeding_is_reproducible_from_the_seed_and_differs_from_full_teacher_forcing(AttentionKind kind)
    {
        var config = TinyModels.Config(kind);
        var model = TinyModels.Model(config);
        var batch = TinyModels.Batch(config, [5, 2, 4], [6, 5, 4]);
        using var _ = GradMode.Off();
        float full = model.Forward(batch, new ForwardOptions(new Rng(1), 1f)).Loss.Item();
        float eval = model.Forward(batch).Loss.Item();
        float never1 = model.Forward(batch, new ForwardOptions(new Rng(1), 0f)).Loss.Item();
        float never2 = model.Forward(batch, new ForwardOptions(new Rng(1), 0f)).Loss.Item();
        Assert.Equal(eval, full);               // no dropout configured: training = evaluation under full forcing
        Assert.Equal(never1, never2);           // same seed, same draws, same predictions
        Assert.NotEqual(full, never1);          // feeding predictions changes the inputs of steps ≥ 1
        var half = Enumerable.Range(0, 6).Select(s => model.Forward(batch, new ForwardOptions(new Rng((ulong)s), 0.5f)).Loss.Item()).Distinct().Count();
        Assert.True(half > 1, "ratio 0.5 should give different mixtures for different seeds");
    }
}

public class NoTeacherForcingTests
{
    /// <summary>
    /// Ratio 0 feeds the model's own argmax at every step t ≥ 1: its loss equals the teacher-forced loss of the
    /// same gold targets when the decoder inputs are those predictions (built one step at a time, since a
    /// teacher-forced pass is causal).
    /// </summary>
    [Theory]
    [InlineData(AttentionKind.None)]
    [InlineData(AttentionKind.Bahdanau)]
    [InlineData(AttentionKind.LuongConcat)]
    public void Ratio_zero_feeds_the_argmax_of_the_previous_step(AttentionKind kind)
    {
        var config = TinyModels.Config(kind);
        var model = TinyModels.Model(config);
        var batch = TinyModels.Batch(config, [5, 2, 4], [6, 5, 4]);
        using var _ = GradMode.Off();
        float free = model.Forward(batch, new ForwardOptions(new Rng(1), 0f)).Loss.Item();

        int b = batch.Batch, t = batch.TargetLength, v = config.TargetVocab;
        var fed = (int[])batch.TargetIn.Clone();
        for (int i = 1; i < t; i++)
        {
            var logits = model.Forward(batch with { TargetIn = (int[])fed.Clone() }).Logits.Data;
            for (int r = 0; r < b; r++)
            {
                if (batch.TargetIn[r * t + i] == config.PadId) continue; // padding stays padding
                var row = logits.Slice((r * t + i - 1) * v, v);
                int best = 0;
                for (int w = 1; w < v; w++) if (row[w] > row[best]) best = w;
                fed[r * t + i] = best;
            }
        }
        float forced = model.Forward(batch with { TargetIn = fed }).Loss.Item();
        Assert.Equal(forced, free, 5);
        Assert.NotEqual(batch.TargetIn, fed);
    }
}
