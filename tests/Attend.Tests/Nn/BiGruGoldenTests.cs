using Attend.Nn;
using Attend.Tensors;
using Attend.Tests.Model;

namespace Attend.Tests.Nn;

public class BiGruGoldenTests
{
    [Fact]
    public void Packed_bidirectional_gru_matches_pytorch_outputs_states_and_gradients()
    {
        var g = new GoldenFixture("bigru_packed");
        var rnn = new Rnn(RnnKind.Gru, 5, 7, layers: 1, bidirectional: true);
        g.LoadInto(rnn);
        var x = g.Leaf("input.x");
        var h0All = g.F("input.h0");
        var h0 = new[] { Tensor.Parameter("h0f", 3, 7), Tensor.Parameter("h0b", 3, 7) };
        h0All.AsSpan(0, 21).CopyTo(h0[0].Data);
        h0All.AsSpan(21, 21).CopyTo(h0[1].Data);
        var lengths = g.I("input.lengths");

        var (output, final) = rnn.Forward(x, lengths, new RnnState(h0, null));
        var hn = Ops.Stack(final.H, 0);
        g.AssertClose("output.output", output.Data);
        g.AssertClose("output.h_n", hn.Data);
        var loss = Ops.Add(g.Dot(output, "grad_output.output"), g.Dot(hn, "grad_output.h_n"));
        g.AssertClose("output.loss", loss.Data);
        loss.Backward();

        g.AssertParamGrads(rnn);
        g.AssertClose("grad.input.x", x.Grad);
        g.AssertClose("grad.input.h0", [.. h0[0].Grad, .. h0[1].Grad]);
        // Padded steps: outputs and input gradients exactly 0 (lengths 4, 2, 3; T = 4).
        for (int b = 0; b < 3; b++)
            for (int t = lengths[b]; t < 4; t++)
            {
                Assert.All(output.Data.Slice((b * 4 + t) * 14, 14).ToArray(), v => Assert.Equal(0f, v));
                Assert.All(x.Grad.Slice((b * 4 + t) * 5, 5).ToArray(), v => Assert.Equal(0f, v));
            }
    }

    [Fact]
    public void Parameter_names_and_count_follow_pytorch()
    {
        var rnn = new Rnn(RnnKind.Lstm, 5, 7, layers: 2, bidirectional: true);
        var names = rnn.NamedParameters().Select(x => x.Name).ToArray();
        Assert.Equal(16, names.Length);
        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse"], names[..5]);
        Assert.Equal([28, 14], rnn.GetParameter("weight_ih_l1_reverse").Shape);
        // PyTorch: 2 dirs × (28·5 + 28·7 + 56) + 2 dirs × (28·14 + 28·7 + 56)
        Assert.Equal(2 * (140 + 196 + 56) + 2 * (392 + 196 + 56), rnn.ParameterCount());
    }
}
