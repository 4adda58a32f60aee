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
            var loss = model.Loss(batch, labelSmoothing: smoothing);
            Assert.Equal(reference.Item(), loss.Item(), 5);
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

    public static TheoryData<string, RnnKind, int> FreeingCases()
    {
        var d = new TheoryData<string, RnnKind, int>();
        var names = TinyModels.AllKinds.Select(k => k.ToString()).Append("tied").Append("feeding");
        foreach (var name in names)
            foreach (var rnn in new[] { RnnKind.Gru, RnnKind.Lstm })
                d.Add(name, rnn, 1);
        d.Add(nameof(AttentionKind.LuongGeneral), RnnKind.Lstm, 2);
        d.Add(nameof(AttentionKind.Bahdanau), RnnKind.Gru, 2);
        return d;
    }

    [Theory]
    [MemberData(nameof(FreeingCases))]
    public void Backward_that_frees_values_as_it_goes_gives_the_same_bits_in_every_gradient(string name, RnnKind rnn, int layers)
    {
        // The trainer's pass (Backward(keepValues: false)) inside a scope, where values really go back to the
        // pool node by node, against the pass that keeps them; with dropout, so the saved masks are freed too.
        var config = ConfigOf(name) with { Rnn = rnn, EncoderLayers = layers, DecoderLayers = layers, Dropout = 0.2f };
        var model = TinyModels.Model(config, seed: 4);
        var batch = TinyModels.Batch(config, [5, 2, 6, 3], [7, 1, 4, 2], seed: 8);
        float[][] Run(bool keepValues, out float loss)
        {
            model.ZeroGrad();
            using var scope = TensorScope.Begin();
            var l = model.Loss(batch, new ForwardOptions(new Rng(3)), labelSmoothing: 0.1f);
            l.Backward(keepValues: keepValues);
            loss = l.Item();
            return model.NamedParameters().Select(p => p.Param.Grad.ToArray()).ToArray();
        }
        var kept = Run(true, out float keptLoss);
        var freed = Run(false, out float freedLoss);
        Assert.Equal(keptLoss, freedLoss);
        for (int i = 0; i < kept.Length; i++) Assert.Equal(kept[i], freed[i]);
    }

    [Theory]
    [InlineData(AttentionKind.Bahdanau)]
    [InlineData(AttentionKind.LuongGeneral)]
    public void Training_steps_with_gradients_set_to_none_give_the_same_weights_and_hold_no_gradient_between_steps(AttentionKind kind)
    {
        // The trainer's step (gradients dropped to the pool, rented again by the backward) against gradients
        // zeroed in place: three clipped Adam steps, the same bits in every weight.
        var config = TinyModels.Config(kind);
        var batch = TinyModels.Batch(config, [5, 2, 6, 3], [7, 1, 4, 2], seed: 8);
        float[][] Train(bool setToNone)
        {
            var model = TinyModels.Model(config, seed: 4);
            var ps = model.Parameters();
            var adam = new Attend.Training.Adam(ps, new Attend.Training.AdamOptions(1e-2f));
            for (int step = 0; step < 3; step++)
            {
                using var scope = TensorScope.Begin();
                adam.ZeroGrad(setToNone);
                if (setToNone) Assert.All(ps, p => Assert.False(p.HasGrad));
                model.Loss(batch, labelSmoothing: 0.1f).Backward(keepValues: false);
                Attend.Training.GradClip.ClipGradNorm(ps, 1.0);
                adam.Step();
            }
            return ps.Select(p => p.Data.ToArray()).ToArray();
        }
        var zeroed = Train(setToNone: false);
        var dropped = Train(setToNone: true);
        for (int i = 0; i < zeroed.Length; i++) Assert.Equal(zeroed[i], dropped[i]);
    }

    /// <summary>Every case but tied embeddings, whose output layer reads the (here NaN) padding row as the pad word's weights.</summary>
    public static TheoryData<string> UntiedCases()
    {
        var d = new TheoryData<string>();
        foreach (var k in TinyModels.AllKinds) d.Add(k.ToString());
        d.Add("feeding");
        return d;
    }

    [Theory]
    [MemberData(nameof(UntiedCases))]
    public void Finished_sentences_are_not_stepped_so_a_nan_padding_embedding_reaches_no_state(string name)
    {
        // Stepping a finished sentence would run the recurrence on the NaN padding embedding, and its
        // backward (0 · NaN) would spread NaN through every earlier state into all gradients. Only the input
        // projection, a product over all [B, T] rows, multiplies the padding rows (by a zero gradient).
        var config = ConfigOf(name);
        var model = TinyModels.Model(config, seed: 4);
        model.Decoder.Embed.Weight.Data.Slice(config.PadId * config.EmbeddingSize, config.EmbeddingSize).Fill(float.NaN);
        var batch = TinyModels.Batch(config, [5, 2, 6, 3], [7, 1, 4, 2], seed: 8);
        var loss = model.Loss(batch);
        Assert.True(float.IsFinite(loss.Item()), $"loss {loss.Item()}");
        loss.Backward();
        foreach (var (pname, p) in model.NamedParameters())
        {
            if (pname is "decoder.rnn.weight_ih_l0" or "decoder.embed.weight" || !p.HasGrad) continue;
            Assert.True(p.Grad.ToArray().All(float.IsFinite), $"{pname}: a gradient is not finite");
        }
    }

    [Fact]
    public void Sorting_by_target_length_moves_whole_rows_and_keeps_the_order_of_ties()
    {
        var config = TinyModels.Config(AttentionKind.None);
        var batch = TinyModels.Batch(config, [2, 3, 4, 5], [2, 4, 2, 3], seed: 3);
        var sorted = batch.SortedByTargetLength();
        int[] order = [1, 3, 0, 2];
        int s = batch.SourceLength, t = batch.TargetLength;
        for (int i = 0; i < 4; i++)
        {
            int b = order[i];
            Assert.Equal(batch.Source.AsSpan(b * s, s).ToArray(), sorted.Source.AsSpan(i * s, s).ToArray());
            Assert.Equal(batch.TargetIn.AsSpan(b * t, t).ToArray(), sorted.TargetIn.AsSpan(i * t, t).ToArray());
            Assert.Equal(batch.TargetOut.AsSpan(b * t, t).ToArray(), sorted.TargetOut.AsSpan(i * t, t).ToArray());
            Assert.Equal(batch.SourceLengths[b], sorted.SourceLengths[i]);
        }
        Assert.Same(sorted, sorted.SortedByTargetLength());
    }

    [Fact]
    public void The_decoder_steps_an_unsorted_batch_whole_and_gives_the_same_loss()
    {
        var config = TinyModels.Config(AttentionKind.Bahdanau);
        var model = TinyModels.Model(config, seed: 6);
        var batch = TinyModels.Batch(config, [3, 4, 2], [2, 5, 3], seed: 4);
        using var _ = GradMode.Off();
        float Decoded(Seq2SeqBatch b)
        {
            var (ctx, state) = model.Encode(b.Source, b.Batch, b.SourceLengths, DecoderPass.Inference);
            return model.Decoder.Loss(b.TargetIn, b.TargetOut, b.Batch, state, ctx).Item();
        }
        float whole = Decoded(batch), shrinking = Decoded(batch.SortedByTargetLength());
        Assert.Equal(model.Forward(batch, ForwardOptions.Inference).Loss.Item(), whole, 5);
        Assert.Equal(whole, shrinking, 5);
    }

    [Fact]
    public void Under_scheduled_sampling_it_reads_the_steps_logits_and_equals_forward()
    {
        var config = TinyModels.Config(AttentionKind.Bahdanau);
        var model = TinyModels.Model(config, seed: 5);
        var batch = TinyModels.Batch(config, [3, 4], [5, 2], seed: 9);
        float forward = Ops.CrossEntropy(model.Forward(batch, new ForwardOptions(new Rng(3), 0.5f)).Logits, batch.TargetOut, 0, 0.1f).Item();
        float loss = model.Loss(batch, new ForwardOptions(new Rng(3), 0.5f), 0.1f).Item();
        Assert.Equal(forward, loss);
    }
}
