using Attend.Attention;
using Attend.Model;
using Attend.Tensors;

namespace Attend.Tests.Model;

/// <summary>
/// Each attention kind steps by the route its docs name, the projected memory only in the inference pass,
/// and the two Bahdanau routes compute the same step.
/// </summary>
public class DecoderRouteTests
{
    private static (DecoderRoute Route, float[] Readout) FirstStep(Seq2Seq model, Seq2SeqBatch batch, DecoderPass pass)
    {
        var (context, state) = model.Encode(batch.Source, batch.Batch, batch.SourceLengths, pass);
        var bos = Enumerable.Repeat(model.Config.BosId, batch.Batch).ToArray();
        var step = model.Decoder.Step(model.Decoder.EmbedStep(bos), state, context);
        return (model.Decoder.RouteOf(context), step.Readout.Data.ToArray());
    }

    [Theory]
    [InlineData(AttentionKind.None, nameof(DecoderRoute.FixedContext), nameof(DecoderRoute.FixedContext))]
    [InlineData(AttentionKind.Bahdanau, nameof(DecoderRoute.AttendThenProject), nameof(DecoderRoute.ProjectedMemory))]
    [InlineData(AttentionKind.LuongDot, nameof(DecoderRoute.AttendAfterRnn), nameof(DecoderRoute.AttendAfterRnn))]
    [InlineData(AttentionKind.LuongGeneral, nameof(DecoderRoute.AttendAfterRnn), nameof(DecoderRoute.AttendAfterRnn))]
    [InlineData(AttentionKind.LuongConcat, nameof(DecoderRoute.AttendAfterRnn), nameof(DecoderRoute.AttendAfterRnn))]
    public void Each_kind_steps_by_its_route_and_both_routes_agree(AttentionKind kind, string training, string search)
    {
        var config = TinyModels.Config(kind) with { Readout = Readout.StateContext };
        var model = TinyModels.Model(config);
        var batch = TinyModels.Batch(model.Config, [4, 2, 3], [3, 3, 2]);
        var (withGraph, recorded) = FirstStep(model, batch, DecoderPass.Training);
        (DecoderRoute Route, float[] Readout) searched;
        using (GradMode.Off()) searched = FirstStep(model, batch, DecoderPass.Inference);
        Assert.Equal(training, withGraph.ToString());
        // The caller's pass decides, not the grad mode: an inference pass that records a graph still projects the memory.
        Assert.Equal(search, FirstStep(model, batch, DecoderPass.Inference).Route.ToString());
        Assert.Equal(search, searched.Route.ToString());
        Assert.Equal(recorded.Length, searched.Readout.Length);
        for (int i = 0; i < recorded.Length; i++) Assert.Equal(recorded[i], searched.Readout[i], 1e-5f);
    }
}
