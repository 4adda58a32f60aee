using Attend.Attention;
using Attend.Decoding;
using Attend.Model;
using Attend.Nn;
using Attend.Tensors;
using Attend.Tests.Model;

namespace Attend.Tests.Decoding;

/// <summary>
/// Decoding steps with the decoder's step weights packed once (<see cref="Decoder.StepWeights"/>,
/// <see cref="PackedWeights"/>) give the bits of the same steps packing each weight at every product; so does the
/// encoder with its W_hh packed, and greedy decoding, which holds both, gives the bits of plain steps.
/// </summary>
public class PackedStepWeightsTests
{
    public static TheoryData<AttentionKind, RnnKind, int> Kinds() => new()
    {
        { AttentionKind.None, RnnKind.Gru, 1 }, { AttentionKind.Bahdanau, RnnKind.Gru, 1 }, { AttentionKind.Bahdanau, RnnKind.Lstm, 2 },
        { AttentionKind.LuongGeneral, RnnKind.Lstm, 1 }, { AttentionKind.LuongConcat, RnnKind.Gru, 2 }, { AttentionKind.LuongDot, RnnKind.Gru, 1 },
    };

    /// <summary>A tiny model and a batch of 20 sentences of lengths 1..9 (20 rows: the packed route).</summary>
    private static (Seq2Seq Model, Seq2SeqBatch Batch) Tiny(AttentionKind kind, RnnKind rnn, int layers, ulong seed, int stride)
    {
        var config = TinyModels.Config(kind, rnn, vocab: 40, emb: 7, hidden: 12) with { DecoderLayers = layers, EncoderLayers = layers };
        int[] lengths = Enumerable.Range(0, 20).Select(i => 1 + i * stride % 9).ToArray();
        return (TinyModels.Model(config, seed), TinyModels.Batch(config, lengths, Enumerable.Repeat(1, lengths.Length).ToArray()));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Steps_with_packed_weights_give_the_bits_of_unpacked_ones(AttentionKind kind, RnnKind rnn, int layers)
    {
        var (model, batch) = Tiny(kind, rnn, layers, seed: 9, stride: 7);
        using var noGrad = GradMode.Off();
        var (ctx, state0) = model.Encode(batch.Source, batch.Batch, batch.SourceLengths, DecoderPass.Inference);
        var dec = model.Decoder;

        float[][] Run(bool packed)
        {
            using var hold = packed ? PackedWeights.Hold(dec.StepWeights(ctx)) : null;
            if (packed) Assert.NotNull(dec.OutWeight.Packed);
            var state = state0;
            var y = Enumerable.Range(0, batch.Batch).Select(i => 4 + i % 30).ToArray();
            var outs = new List<float[]>();
            for (int t = 0; t < 4; t++)
            {
                var step = dec.Step(dec.EmbedStep(y), state, ctx);
                var logits = dec.Logits(step.Readout);
                outs.Add(logits.ToArray());
                if (step.Weights is not null) outs.Add(step.Weights.ToArray());
                Decoder.ArgMaxRows(logits, y);
                state = step.State;
            }
            return outs.ToArray();
        }

        var plain = Run(false);
        Assert.Null(dec.OutWeight.Packed);
        Assert.Equal(plain, Run(true));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Encoding_with_the_encoders_W_hh_packed_gives_the_bits_of_plain_encoding(AttentionKind kind, RnnKind rnn, int layers)
    {
        var (model, batch) = Tiny(kind, rnn, layers, seed: 10, stride: 5);
        using var noGrad = GradMode.Off();
        var rnnStack = model.Encoder.Rnn;
        var weights = Enumerable.Range(0, rnnStack.Layers * rnnStack.Directions).Select(rnnStack.WeightHh).ToArray();
        float[][] Encode()
        {
            var e = model.Encoder.Forward(batch.Source, batch.Batch, batch.SourceLengths);
            return [e.Outputs.ToArray(), .. e.Final.H.Select(h => h.ToArray()), .. (e.Final.C ?? []).Select(c => c.ToArray())];
        }
        var plain = Encode();
        float[][] packed;
        using (PackedWeights.Hold(weights))
        {
            Assert.All(weights, w => Assert.NotNull(w.Packed));
            packed = Encode();
        }
        Assert.All(weights, w => Assert.Null(w.Packed));
        Assert.Equal(plain, packed);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Greedy_decoding_gives_the_bits_of_plain_encoding_and_steps(AttentionKind kind, RnnKind rnn, int layers)
    {
        var (model, batch) = Tiny(kind, rnn, layers, seed: 11, stride: 7);
        using var noGrad = GradMode.Off();
        const int steps = 5;
        var greedy = Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, new GreedyOptions(steps, StopAtEos: false, Shards: 1));
        // The same search by hand, nothing held packed.
        var (ctx, state) = model.Encode(batch.Source, batch.Batch, batch.SourceLengths, DecoderPass.Inference);
        var dec = model.Decoder;
        var y = Enumerable.Repeat(model.Config.BosId, batch.Batch).ToArray();
        var logits = new List<Tensor>();
        for (int t = 0; t < steps; t++)
        {
            var step = dec.Step(dec.EmbedStep(y), state, ctx);
            var l = dec.Logits(step.Readout);
            logits.Add(l);
            Decoder.ArgMaxRows(l, y);
            state = step.State;
        }
        Assert.Equal(Ops.Stack(logits, 1).ToArray(), greedy.Logits!.ToArray());
    }
}
