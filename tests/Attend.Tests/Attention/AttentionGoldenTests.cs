using Attend.Attention;
using Attend.Nn;
using Attend.Tensors;
using Attend.Tests.Model;

namespace Attend.Tests.Attention;

public class AttentionGoldenTests
{
    public static TheoryData<string> Files => new() { "attention_bahdanau", "attention_luong_dot", "attention_luong_general", "attention_luong_concat" };

    private static IAttention Build(string file) => file switch
    {
        "attention_bahdanau" => new BahdanauAttention(7, 10, 6),
        "attention_luong_dot" => new LuongDotAttention(),
        "attention_luong_general" => new LuongGeneralAttention(7, 10),
        _ => new LuongConcatAttention(7, 10, 6),
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Scores_weights_context_and_gradients_match_pytorch(string file)
    {
        var g = new GoldenFixture(file);
        var attention = Build(file);
        g.LoadInto((Module)attention);
        var query = g.Leaf("input.query");
        var memory = g.Leaf("input.memory");
        var mask = Tensor.FromArray(g.I("input.mask").Select(v => (float)v).ToArray(), 3, 4);
        var lengths = g.I("input.lengths");

        var prepared = attention.Prepare(memory, mask, lengths);
        // Raw scores at the real positions: the keys are projected there only (0 at the padding, which the
        // masked softmax gives weight 0 whatever its score).
        using (GradMode.Off())
        {
            var scores = attention.Score(query, prepared);
            var expected = g.F("output.scores");
            for (int b = 0; b < 3; b++)
                GoldenFixture.AssertClose($"output.scores[{b}]", expected.AsSpan(b * 4, lengths[b]), scores.Data.Slice(b * 4, lengths[b]));
        }
        var (context, weights) = attention.Attend(query, prepared);
        g.AssertClose("output.weights", weights.Data);
        g.AssertClose("output.context", context.Data);
        var loss = Ops.Add(g.Dot(context, "grad_output.context"), g.Dot(weights, "grad_output.weights"));
        g.AssertClose("output.loss", loss.Data);
        loss.Backward();

        g.AssertParamGrads((Module)attention);
        g.AssertClose("grad.input.query", query.Grad);
        g.AssertClose("grad.input.memory", memory.Grad);
        int dm = memory.Shape[2];
        for (int b = 0; b < 3; b++)
            for (int j = lengths[b]; j < 4; j++)
            {
                Assert.Equal(0f, weights.Data[b * 4 + j]);
                Assert.All(memory.Grad.Slice((b * 4 + j) * dm, dm).ToArray(), v => Assert.Equal(0f, v));
            }
    }
}
