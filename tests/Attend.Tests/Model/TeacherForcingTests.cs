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
