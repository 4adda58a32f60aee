using Attend.Nn;
using Attend.Tensors;
using Attend.Tests.Model;

namespace Attend.Tests.Nn;

/// <summary>
/// A recurrent stack over a padded batch (each step running only the sentences that have a token there,
/// rows permuted into length order and back) against each sentence run alone without padding.
/// </summary>
public class RnnLengthsTests
{
    [Theory]
    [InlineData(RnnKind.Gru)]
    [InlineData(RnnKind.Lstm)]
    public void Each_sentence_of_a_padded_batch_equals_the_sentence_alone_in_outputs_states_and_gradients(RnnKind kind)
    {
        int[] lengths = [3, 0, 5, 1, 5, 2]; // unsorted, with an empty sentence and ties
        int b = lengths.Length, t = 5, inSize = 4, h = 3;
        var rnn = new Rnn(kind, inSize, h, layers: 2, bidirectional: true);
        rnn.Initialize(new Rng(3));
        var rng = new Rng(8);
        var x = Tensor.Parameter("x", b, t, inSize);
        rng.FillNormal(x.Data, 0f, 1f);
        var init = RandomState(kind, 4, b, h, rng);
        var (output, final) = rnn.Forward(x, lengths, init);
        var seed = Tensor.Empty(output.Shape);
        rng.FillNormal(seed.Data, 0f, 1f);
        var finalSeed = Tensor.Empty(b, h);
        rng.FillNormal(finalSeed.Data, 0f, 1f);
        // Gradient through the outputs and every final state (h and, for LSTM, c of all four slots).
        Ops.Add(Ops.Sum(Ops.Mul(output, seed)), FinalLoss(final, finalSeed, 0, b)).Backward();

        for (int r = 0; r < b; r++)
        {
            int len = lengths[r];
            var alone = Tensor.Parameter("x1", 1, Math.Max(len, 1), inSize);
            if (len > 0) x.Data.Slice(r * t * inSize, len * inSize).CopyTo(alone.Data);
            var initRow = init.SelectRows([r]);
            var (o1, f1) = rnn.Forward(alone, len > 0 ? [] : [0], initRow);
            for (int i = 0; i < f1.H.Count; i++)
            {
                GoldenFixture.AssertClose($"row {r} h[{i}]", f1.H[i].Data, final.H[i].Data.Slice(r * h, h), 1e-5);
                if (f1.C is not null) GoldenFixture.AssertClose($"row {r} c[{i}]", f1.C[i].Data, final.C![i].Data.Slice(r * h, h), 1e-5);
            }
            if (len == 0)
            {
                Assert.All(output.Data.Slice(r * t * 2 * h, t * 2 * h).ToArray(), v => Assert.Equal(0f, v));
                continue;
            }
            GoldenFixture.AssertClose($"row {r} output", o1.Data, output.Data.Slice(r * t * 2 * h, len * 2 * h), 1e-5);
            Assert.All(output.Data.Slice((r * t + len) * 2 * h, (t - len) * 2 * h).ToArray(), v => Assert.Equal(0f, v));
            var rowSeed = Tensor.FromArray(seed.Data.Slice(r * t * 2 * h, len * 2 * h), 1, len, 2 * h);
            Ops.Add(Ops.Sum(Ops.Mul(o1, rowSeed)), FinalLoss(f1, finalSeed, r, 1)).Backward();
            GoldenFixture.AssertClose($"row {r} dx", alone.Grad, x.Grad.Slice(r * t * inSize, len * inSize), 1e-5);
            Assert.All(x.Grad.Slice((r * t + len) * inSize, (t - len) * inSize).ToArray(), v => Assert.Equal(0f, v));
        }
    }

    [Theory]
    [InlineData(RnnKind.Gru)]
    [InlineData(RnnKind.Lstm)]
    public void Padded_steps_are_never_run_so_nan_padding_reaches_no_output_state_or_input_gradient(RnnKind kind)
    {
        // Running a padded step (and masking its result away) would read the NaN input and spread it back
        // through 0 · NaN into the input gradient of the real tokens.
        int[] lengths = [2, 4, 1];
        int b = lengths.Length, t = 4, inSize = 3, h = 2;
        var rnn = new Rnn(kind, inSize, h, layers: 1, bidirectional: true);
        rnn.Initialize(new Rng(5));
        var x = Tensor.Parameter("x", b, t, inSize);
        new Rng(6).FillNormal(x.Data, 0f, 1f);
        for (int r = 0; r < b; r++) x.Data.Slice((r * t + lengths[r]) * inSize, (t - lengths[r]) * inSize).Fill(float.NaN);
        var (output, final) = rnn.Forward(x, lengths);
        Assert.All(output.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.All(final.H.SelectMany(s => s.ToArray()), v => Assert.True(float.IsFinite(v)));
        Ops.Add(Ops.Sum(output), Ops.Sum(final.H[1])).Backward();
        for (int r = 0; r < b; r++)
        {
            Assert.All(x.Grad.Slice(r * t * inSize, lengths[r] * inSize).ToArray(), g => Assert.True(float.IsFinite(g) && g != 0f));
            Assert.All(x.Grad.Slice((r * t + lengths[r]) * inSize, (t - lengths[r]) * inSize).ToArray(), g => Assert.Equal(0f, g));
        }
    }

    private static RnnState RandomState(RnnKind kind, int slots, int b, int h, Rng rng)
    {
        var hs = new Tensor[slots];
        var cs = kind == RnnKind.Lstm ? new Tensor[slots] : null;
        for (int i = 0; i < slots; i++)
        {
            hs[i] = Tensor.Empty(b, h);
            rng.FillNormal(hs[i].Data, 0f, 1f);
            if (cs is not null)
            {
                cs[i] = Tensor.Empty(b, h);
                rng.FillNormal(cs[i].Data, 0f, 1f);
            }
        }
        return new RnnState(hs, cs);
    }

    /// <summary>Σ over the final states of state·seed rows [first, first + count), scaled per slot.</summary>
    private static Tensor FinalLoss(RnnState final, Tensor seed, int first, int count)
    {
        var rows = Ops.Slice(seed, 0, first, count);
        Tensor total = Tensor.Zeros();
        for (int i = 0; i < final.H.Count; i++)
        {
            total = Ops.Add(total, Ops.Scale(Ops.Sum(Ops.Mul(final.H[i], rows)), i + 1));
            if (final.C is not null) total = Ops.Add(total, Ops.Scale(Ops.Sum(Ops.Mul(final.C[i], rows)), 0.5f * (i + 1)));
        }
        return total;
    }
}
