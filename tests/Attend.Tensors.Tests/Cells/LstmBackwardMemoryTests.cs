using Attend.Tensors;

namespace Attend.Tensors.Tests.Cells;

/// <summary>
/// What an LSTM step holds for its backward: the activated gates and c' (tanh(c') is computed again), and its
/// outputs' gradients only until its joint closure has read them. The gradients must not change.
/// </summary>
[Collection(GlobalStateCollection.Name)] // reads the shared pool's live and peak bytes
public class LstmBackwardMemoryTests
{
    private const int B = 3, H = 5;

    /// <summary>Each step's input projection is a constant [B, 4H] (no gradient): nothing but the steps grows with T.</summary>
    private sealed record Net(float[][] Gx, Tensor Whh, Tensor Bhh)
    {
        public Tensor[] Parameters => [Whh, Bhh];

        public static Net Create(int steps)
        {
            var rng = new Random(11);
            Tensor P(string name, params int[] shape)
            {
                var p = Tensor.Parameter(name, shape);
                CellTestKit.Uniform(rng, p.Length, 0.6).CopyTo(p.Data);
                return p;
            }
            var gx = Enumerable.Range(0, steps).Select(_ => CellTestKit.Uniform(rng, B * 4 * H, 1.5)).ToArray();
            return new Net(gx, P("w_hh", 4 * H, H), P("b_hh", 4 * H));
        }

        /// <summary>An LSTM over every step; the loss reads the last h and c, and each step's h and c reach the loss through the next step.</summary>
        public Tensor Loss()
        {
            Tensor h = Tensor.Zeros(B, H), c = Tensor.Zeros(B, H);
            foreach (var gx in Gx) (h, c) = Ops.LstmCell(Tensor.FromArray(gx, B, 4 * H), h, c, Whh, Bhh);
            return Ops.Add(Ops.Sum(Ops.Tanh(h)), Ops.Sum(Ops.Mul(c, c)));
        }
    }

    private static float[][] Gradients(Net net) => net.Parameters.Select(p => p.Grad.ToArray()).ToArray();

    [Fact]
    public void Without_kept_values_the_gradients_are_the_same_and_every_buffer_comes_back()
    {
        var net = Net.Create(steps: 6);
        float[][] kept;
        using (TensorScope.Begin())
        {
            net.Loss().Backward();
            kept = Gradients(net);
        }
        foreach (var p in net.Parameters) p.ZeroGrad();
        using (TensorScope.Begin())
        {
            long baseline = BufferPool.Shared.LiveBytes;
            var loss = net.Loss();
            loss.Backward(keepValues: false); // would throw if a joint read a c' the pass had freed
            long after = BufferPool.Shared.LiveBytes - baseline;
            // c' of every step is returned by its joint with the gates. Left: the loss and the plain zero states
            // (a 16-float size class each) and the six constant projections (64 floats each), never in a graph.
            Assert.True(after <= (3 * 16 + 6 * 64) * sizeof(float), $"{after} bytes still handed out after the pass");
            var g = Gradients(net);
            for (int i = 0; i < g.Length; i++) Assert.Equal(kept[i], g[i]);
        }
    }

    /// <summary>
    /// With every value kept, the memory a backward adds on top of the forward's is the gradients in flight:
    /// a few steps' worth, whatever the length. Keeping each step's h' and c' gradients to the end of the pass
    /// would add 2·B·H floats per step.
    /// </summary>
    [Fact]
    public void The_outputs_gradients_are_returned_as_the_pass_goes()
    {
        long Extra(int steps)
        {
            var net = Net.Create(steps);
            using var scope = TensorScope.Begin();
            var loss = net.Loss();
            long before = BufferPool.Shared.LiveBytes;
            BufferPool.Shared.ResetPeak();
            loss.Backward();
            return BufferPool.Shared.PeakLiveBytes - before;
        }
        long shortRun = Extra(4), longRun = Extra(40);
        long perStep = 2L * B * H * sizeof(float);
        Assert.True(longRun - shortRun < 36 * perStep / 4,
            $"the backward of 40 steps held {longRun} bytes beyond the forward's, of 4 steps {shortRun}: {(longRun - shortRun) / (double)perStep:F1} steps' output gradients more");
    }
}
