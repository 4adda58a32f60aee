using static Attend.Tensors.Tests.Cells.CellTestKit;

namespace Attend.Tensors.Tests.Cells;

[Collection(GlobalStateCollection.Name)]
public class CellPoolTests
{
    private const int B = 4, H = 12;

    [Fact]
    public void Recurrent_training_steps_in_scopes_reuse_pooled_buffers()
    {
        var rng = new Random(3);
        float[] gx3 = Uniform(rng, B * 3 * H, 1), gx4 = Uniform(rng, B * 4 * H, 1), h0 = Uniform(rng, B * H, 1), g = Uniform(rng, B * H, 1);
        var wg = Leaf(Uniform(rng, 3 * H * H, 0.3), 3 * H, H);
        var bg = Leaf(Uniform(rng, 3 * H, 0.3), 3 * H);
        var wl = Leaf(Uniform(rng, 4 * H * H, 0.3), 4 * H, H);
        var bl = Leaf(Uniform(rng, 4 * H, 0.3), 4 * H);
        void Step()
        {
            using var scope = TensorScope.Begin();
            var h = Tensor.FromArray(h0, B, H);
            Tensor hl = h, cl = h;
            for (int t = 0; t < 5; t++)
            {
                h = Ops.GruCell(Tensor.FromArray(gx3, B, 3 * H), h, wg, bg);
                (hl, cl) = Ops.LstmCell(Tensor.FromArray(gx4, B, 4 * H), hl, cl, wl, bl);
            }
            DotLoss((h, g), (hl, g)).Backward();
        }
        Step();
        Step();
        long before = BufferPool.Shared.Allocations;
        Step();
        Assert.Equal(before, BufferPool.Shared.Allocations);
        Assert.True(wg.Grad[0] != 0 && wl.Grad[0] != 0, "the steps did back-propagate into the weights");
    }
}
