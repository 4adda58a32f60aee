// TranslationModel.Load in int8 or bf16: the same as the command line's --precision, and clear errors.
using Attend.Decoding;
using Attend.Runs;
using Attend.Tensors;

namespace Attend.Tests.FrontDoor;

[Collection(FrontDoorCollection.Name)]
public class PrecisionTests(FrontDoorFixture fx)
{
    [Theory]
    [InlineData(Precision.Int8)]
    [InlineData(Precision.Bf16)]
    public void Load_in_a_precision_translates_as_the_command_line_does(Precision precision)
    {
        using var model = TranslationModel.Load(precision, fx.Attn);
        Assert.Equal(precision, model.Precision);
        var loaded = RunDirectory.LoadModel(fx.Attn, precision);
        var search = new SearchOptions(3, 0.6, loaded.Config.Testing.MaxOutputRatio, 1, loaded.Config.Testing.BatchSize);
        var expected = TextTranslator.Translate(loaded, FrontDoorFixture.Lines, search);
        var all = model.Translate(FrontDoorFixture.Lines, new TranslateOptions { Beam = 3, Alpha = 0.6 });
        for (int i = 0; i < all.Count; i++)
        {
            Assert.Equal(expected[i][0].Text, all[i].Text);
            Assert.Equal(expected[i][0].Score, all[i].Score);
        }
        using var fp32 = TranslationModel.Load(fx.Attn);
        Assert.Equal(Precision.Fp32, fp32.Precision);
    }

    [Fact]
    public void An_ensemble_loads_every_member_in_the_precision()
    {
        using var model = TranslationModel.Load(Precision.Int8, fx.Attn, fx.AttnFirstStep);
        Assert.NotNull(model.Translate("3/5/79").Text);
    }

    [Fact]
    public void A_quantized_checkpoint_refuses_the_other_precision_as_incompatible()
    {
        var int8 = Path.Combine(fx.Root, "copies", $"attn-int8-{Guid.NewGuid():N}");
        QuantizedCheckpoint.Write(fx.Attn, int8, Precision.Int8);
        using (var stored = TranslationModel.Load(int8)) Assert.Equal(Precision.Int8, stored.Precision);
        var e = Assert.Throws<ModelLoadException>(() => TranslationModel.Load(Precision.Bf16, int8));
        Assert.Equal(ModelLoadProblem.Incompatible, e.Problem);
        Assert.Contains("holds int8 weights and cannot run in bf16", e.Message);
    }
}
