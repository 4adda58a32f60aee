using static Attend.Tensors.Tests.Cells.CellTestKit;

namespace Attend.Tensors.Tests.Cells;

/// <summary>
/// A step big enough that the gate kernels split their rows over the workers (and small enough steps that
/// they do not) gives the same bits with one thread and two: outputs and every gradient, GRU and LSTM,
/// with and without a graph.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class CellThreadsTests
{
    /// <summary>Rows of a [b, w] array in reverse order.</summary>
    private static float[] Reversed(float[] x, int b)
    {
        int w = x.Length / b;
        var y = new float[x.Length];
        for (int r = 0; r < b; r++) Array.Copy(x, r * w, y, (b - 1 - r) * w, w);
        return y;
    }

    private static float[][] Run(int b, int h, bool grad, bool reverse = false)
    {
        var rng = new Random(11);
        float[] Rows(float[] x) => reverse ? Reversed(x, b) : x;
        var gx3 = Leaf(Rows(Uniform(rng, b * 3 * h, 1)), b, 3 * h);
        var gx4 = Leaf(Rows(Uniform(rng, b * 4 * h, 1)), b, 4 * h);
        var h0 = Leaf(Rows(Uniform(rng, b * h, 1)), b, h);
        var c0 = Leaf(Rows(Uniform(rng, b * h, 1)), b, h);
        var wg = Leaf(Uniform(rng, 3 * h * h, 0.1), 3 * h, h);
        var bg = Leaf(Uniform(rng, 3 * h, 0.1), 3 * h);
        var wl = Leaf(Uniform(rng, 4 * h * h, 0.1), 4 * h, h);
        var bl = Leaf(Uniform(rng, 4 * h, 0.1), 4 * h);
        var g = Rows(Uniform(rng, b * h, 1));
        if (!grad)
        {
            using var off = GradMode.Off();
            var hg = Ops.GruCell(gx3, h0, wg, bg);
            var (hl, cl) = Ops.LstmCell(gx4, h0, c0, wl, bl);
            return [hg.ToArray(), hl.ToArray(), cl.ToArray()];
        }
        var y = Ops.GruCell(gx3, h0, wg, bg);
        var (yh, yc) = Ops.LstmCell(gx4, y, c0, wl, bl);
        DotLoss((yh, g), (yc, g), (y, g)).Backward();
        return [y.ToArray(), yh.ToArray(), yc.ToArray(), gx3.Grad.ToArray(), gx4.Grad.ToArray(), h0.Grad.ToArray(),
            c0.Grad.ToArray(), wg.Grad.ToArray(), bg.Grad.ToArray(), wl.Grad.ToArray(), bl.Grad.ToArray()];
    }

    [Fact]
    public void Every_row_lands_where_it_belongs_when_the_rows_are_split()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 2;
            const int b = 37, h = 512; // chunks of 10, 10, 10 and 7 rows
            foreach (bool grad in new[] { true, false })
            {
                var straight = Run(b, h, grad);
                var reversed = Run(b, h, grad, reverse: true);
                // Per-row results (outputs, input and state gradients) follow their rows; weight gradients sum over rows.
                int perRow = grad ? 7 : 3;
                for (int i = 0; i < perRow; i++)
                {
                    var back = Reversed(reversed[i], b);
                    for (int j = 0; j < back.Length; j++) Assert.Equal(straight[i][j], back[j], 1e-5f);
                }
            }
        }
        finally { Parallelism.MaxThreads = saved; }
    }

    [Theory]
    [InlineData(64, 256)] // 64 × 4·256 elements: split over the workers
    [InlineData(37, 512)] // a ragged last chunk
    [InlineData(4, 12)]   // one thread whatever the setting
    public void One_thread_and_two_give_the_same_bits(int b, int h)
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            foreach (bool grad in new[] { true, false })
            {
                Parallelism.MaxThreads = 1;
                var one = Run(b, h, grad);
                Parallelism.MaxThreads = 2;
                var two = Run(b, h, grad);
                for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
            }
        }
        finally { Parallelism.MaxThreads = saved; }
    }
}
