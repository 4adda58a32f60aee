using Attend.Attention;
using Attend.Model;
using Attend.Nn;
using Attend.Tensors;

namespace Attend.Tests.Model;

/// <summary>Padding must be invisible: attention is a distribution over real tokens only, and a sentence gives the same result alone or in a padded batch.</summary>
public class PaddingInvarianceTests
{
    public static TheoryData<AttentionKind, RnnKind> Cases()
    {
        var d = new TheoryData<AttentionKind, RnnKind>();
        foreach (var k in TinyModels.AllKinds)
            foreach (var r in new[] { RnnKind.Gru, RnnKind.Lstm }) d.Add(k, r);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Attention_rows_sum_to_one_and_are_exactly_zero_on_padding(AttentionKind kind, RnnKind rnn)
    {
        var config = TinyModels.Config(kind, rnn);
        var model = TinyModels.Model(config);
        var batch = TinyModels.Batch(config, [5, 2, 4], [3, 5, 1]);
        using var _ = GradMode.Off();
        var w = model.Forward(batch).Weights;
        if (kind == AttentionKind.None)
        {
            Assert.Null(w);
            return;
        }
        Assert.Equal([3, batch.TargetLength, 5], w!.Shape);
        for (int b = 0; b < 3; b++)
            for (int t = 0; t < batch.TargetLength; t++)
            {
                var row = w.Data.Slice((b * batch.TargetLength + t) * 5, 5);
                double sum = 0;
                for (int j = 0; j < 5; j++)
                {
                    if (j >= batch.SourceLengths[b]) Assert.Equal(0f, row[j]);
                    else Assert.True(row[j] > 0f);
                    sum += row[j];
                }
                Assert.Equal(1.0, sum, 1e-5);
            }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_sentence_alone_and_inside_a_padded_batch_give_the_same_loss_logits_and_attention(AttentionKind kind, RnnKind rnn)
    {
        var config = TinyModels.Config(kind, rnn) with { DecoderLayers = 2, EncoderLayers = 2 };
        var model = TinyModels.Model(config);
        var batch = TinyModels.Batch(config, [5, 2, 4], [3, 6, 2]);
        using var _ = GradMode.Off();
        var all = model.Forward(batch);
        int v = config.TargetVocab, tb = batch.TargetLength, sb = batch.SourceLength;
        for (int i = 0; i < 3; i++)
        {
            var alone = model.Forward(TinyModels.Row(batch, i));
            int t = alone.Logits.Shape[1], s = batch.SourceLengths[i];
            for (int ti = 0; ti < t; ti++)
            {
                AssertNear(alone.Logits.Data.Slice(ti * v, v), all.Logits.Data.Slice((i * tb + ti) * v, v), $"logits[{i},{ti}]");
                if (kind != AttentionKind.None)
                    AssertNear(alone.Weights!.Data.Slice(ti * s, s), all.Weights!.Data.Slice((i * tb + ti) * sb, s), $"weights[{i},{ti}]");
            }
            // The batch loss restricted to sentence i (other targets set to padding) is the sentence's own loss.
            var only = batch with { TargetOut = batch.TargetOut.Select((y, j) => j / tb == i ? y : 0).ToArray() };
            Assert.Equal(alone.Loss.Item(), model.Forward(only).Loss.Item(), 1e-5);
        }
    }

    private static void AssertNear(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"{what}[{i}]: alone {expected[i]}, in batch {actual[i]}");
    }
}
