using Attend.Attention;
using Attend.Model;
using Attend.Nn;
using Attend.Tensors;
using Attend.Tests.Model;

namespace Attend.Tests.Decoding;

/// <summary>
/// Decoding with Bahdanau attention projects the memory once (<see cref="DecoderInputProjection.ProjectedMemory"/>,
/// W_c m_j at every real source position) and forms a step's W_c c as Σ_j α_j (W_c m_j). Those steps must be the
/// steps of W_c c (the path training takes) up to float rounding, for whole batches, beams sharing a sentence's
/// memory, and the first rows of a batch.
/// </summary>
public class ProjectedMemoryTests
{
    public static TheoryData<RnnKind, int, Readout> Kinds() => new()
    {
        { RnnKind.Gru, 1, Readout.State }, { RnnKind.Lstm, 2, Readout.State },
        { RnnKind.Gru, 2, Readout.StateContext }, { RnnKind.Lstm, 1, Readout.StateContextEmbedding },
    };

    private static (Seq2Seq Model, Seq2SeqBatch Batch) Tiny(RnnKind rnn, int layers, Readout readout)
    {
        var config = TinyModels.Config(AttentionKind.Bahdanau, rnn, vocab: 40, emb: 7, hidden: 12)
            with
        { DecoderLayers = layers, EncoderLayers = layers, Readout = readout };
        int[] lengths = [9, 1, 6, 9, 3, 8, 2, 7, 5, 4, 9, 6];
        return (TinyModels.Model(config, 21), TinyModels.Batch(config, lengths, Enumerable.Repeat(1, lengths.Length).ToArray()));
    }

    /// <summary>The logits and weights of <paramref name="steps"/> greedy steps of <paramref name="ctx"/>'s rows, run without a graph.</summary>
    private static List<float[]> Steps(Decoder dec, DecoderContext ctx, DecoderState state, int steps)
    {
        using var noGrad = GradMode.Off();
        int rows = state.Rnn.Top.Shape[0];
        var y = Enumerable.Range(0, rows).Select(i => 4 + i % 30).ToArray();
        var outs = new List<float[]>();
        for (int t = 0; t < steps; t++)
        {
            var step = dec.Step(dec.EmbedStep(y), state, ctx);
            var logits = dec.Logits(step.Readout);
            outs.Add(logits.ToArray());
            outs.Add(step.Weights!.ToArray());
            Decoder.ArgMaxRows(logits, y);
            state = step.State;
        }
        return outs;
    }

    private static void Close(List<float[]> expected, List<float[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int k = 0; k < expected.Count; k++)
        {
            Assert.Equal(expected[k].Length, actual[k].Length);
            for (int i = 0; i < expected[k].Length; i++)
                Assert.True(Math.Abs(expected[k][i] - actual[k][i]) <= 1e-5f + 1e-5f * Math.Abs(expected[k][i]),
                    $"output {k}, element {i}: W_c c gives {expected[k][i]}, the projected memory {actual[k][i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Steps_on_the_projected_memory_are_the_steps_of_W_c_c(RnnKind rnn, int layers, Readout readout)
    {
        var (model, batch) = Tiny(rnn, layers, readout);
        var dec = model.Decoder;
        // Encoding for training leaves the memory unprojected; encoding for inference (decoding) projects it.
        var (plain, state) = model.Encode(batch.Source, batch.Batch, batch.SourceLengths, DecoderPass.Training);
        Assert.Null(plain.Input!.ProjectedMemory);
        DecoderContext projected;
        using (GradMode.Off()) projected = model.Encode(batch.Source, batch.Batch, batch.SourceLengths, DecoderPass.Inference).Context;
        var values = projected.Input!.ProjectedMemory!;
        int s = batch.SourceLength, gh = values.Shape[2];
        Assert.Equal([batch.Batch, s, dec.Rnn.WeightIh(0).Shape[0]], values.Shape);
        for (int b = 0; b < batch.Batch; b++) // the padding is projected to exactly 0
            Assert.All(values.Data.Slice((b * s + batch.SourceLengths[b]) * gh, (s - batch.SourceLengths[b]) * gh).ToArray(), v => Assert.Equal(0f, v));

        Close(Steps(dec, plain, state, 5), Steps(dec, projected, state, 5));
        // The first rows of the batch (the running sentences of a length-sorted batch) read the first rows of the projection.
        Close(Steps(dec, plain.FirstRows(5), state.FirstRows(5), 3), Steps(dec, projected.FirstRows(5), state.FirstRows(5), 3));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Beams_share_their_sentences_projected_memory(RnnKind rnn, int layers, Readout readout)
    {
        var (model, batch) = Tiny(rnn, layers, readout);
        const int k = 3;
        var rows = Enumerable.Range(0, batch.Batch * k).Select(i => i / k).ToArray();
        var (plain, state) = model.Encode(batch.Source, batch.Batch, batch.SourceLengths, DecoderPass.Training);
        DecoderContext projected;
        using (GradMode.Off()) projected = model.Encode(batch.Source, batch.Batch, batch.SourceLengths, DecoderPass.Inference).Context;
        var beams = projected.RepeatEach(k);
        Assert.Same(projected.Input!.ProjectedMemory, beams.Input!.ProjectedMemory); // shared, not copied k times
        using var noGrad = GradMode.Off();
        var expanded = state.SelectRows(rows);
        Close(Steps(model.Decoder, plain.RepeatEach(k), expanded, 4), Steps(model.Decoder, beams, expanded, 4));
        // A shard of sentences copies its rows of the projection.
        var shard = projected.Sentences(4, 5);
        Assert.Equal([5, batch.SourceLength, projected.Input.ProjectedMemory!.Shape[2]], shard.Input!.ProjectedMemory!.Shape);
        var shardRows = Enumerable.Range(4, 5).ToArray();
        Close(Steps(model.Decoder, plain.Sentences(4, 5), state.SelectRows(shardRows), 3), Steps(model.Decoder, shard, state.SelectRows(shardRows), 3));
    }
}
