using Attend.Tensors;
using Attend.Training;

namespace Attend.Tests.Training;

/// <summary>
/// An embedding's gradient kept as the rows looked up (a parameter whose gradient is set to none between steps)
/// must train exactly as the dense gradient does: the same clipping norm, the same weights and moments, bit for bit,
/// also for rows a step does not look up (Adam still moves them by their momentum).
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class RowGradientTests
{
    // 2000 rows of 37: the table spans two optimizer slices, the boundary inside a row; rows are not a multiple of 16.
    private const int V = 2000, W = 37, Pad = 0;

    private sealed record Run(Tensor Table, Tensor Dense, Adam Adam, List<double> Norms);

    private static Run Create()
    {
        var rng = new Rng(5);
        var table = Tensor.Parameter("emb", V, W);
        var dense = Tensor.Parameter("w", 3, W);
        rng.FillNormal(table.Data, 0f, 1f);
        rng.FillNormal(dense.Data, 0f, 1f);
        return new Run(table, dense, new Adam([table, dense]), []);
    }

    /// <summary>Different ids every step, some repeated, some the padding row; the loss weighs each looked-up row differently.</summary>
    private static int[] Ids(int step) =>
        [.. Enumerable.Range(0, 30).Select(i => (i * 7 + step * 301) % (V / (step + 1))), Pad, 5, 5, V - 1 - step];

    private static void Step(Run run, int step, bool setToNone)
    {
        run.Adam.ZeroGrad(setToNone);
        using (TensorScope.Begin())
        {
            var ids = Ids(step);
            var y = Ops.Embedding(run.Table, ids, [ids.Length], Pad); // [N, W]
            var c = Tensor.Empty(ids.Length, W);
            new Rng((ulong)(100 + step)).FillNormal(c.Data, 0f, 1f);
            var loss = Ops.Add(Ops.Sum(Ops.Mul(y, c)), Ops.Sum(Ops.Linear(y, run.Dense)));
            loss.Backward();
            Assert.Equal(setToNone, run.Table.RowGrad is not null); // the rows path is the one under test
        }
        run.Norms.Add(GradClip.ClipGradNorm([run.Table, run.Dense], 0.5)); // the norm is above 0.5: the gradients are scaled
        run.Adam.Step();
    }

    [Fact]
    public void Rows_and_dense_gradients_train_to_the_same_bits()
    {
        Run rows = Create(), dense = Create();
        for (int step = 0; step < 4; step++)
        {
            Step(rows, step, setToNone: true);
            Step(dense, step, setToNone: false);
        }
        Assert.Equal(dense.Norms, rows.Norms);
        Assert.True(rows.Norms.All(n => n > 0.5), "the test needs clipping to scale the gradients");
        Assert.Equal(dense.Table.Data.ToArray(), rows.Table.Data.ToArray());
        Assert.Equal(dense.Dense.Data.ToArray(), rows.Dense.Data.ToArray());
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(dense.Adam.Moments(i).M, rows.Adam.Moments(i).M);
            Assert.Equal(dense.Adam.Moments(i).V, rows.Adam.Moments(i).V);
        }
        // A row looked up only in the first step moved in every later one (its momentum), in both.
        int first = Ids(0).First(id => id != Pad && !Enumerable.Range(1, 3).Any(s => Ids(s).Contains(id)));
        Assert.NotEqual(0f, rows.Adam.Moments(0).M[first * W]);
    }

    [Fact]
    public void Reading_the_gradient_whole_gives_the_dense_gradient()
    {
        Run rows = Create(), dense = Create();
        rows.Adam.ZeroGrad(setToNone: true);
        var ids = Ids(1);
        foreach (var run in new[] { rows, dense })
        {
            var y = Ops.Embedding(run.Table, ids, [ids.Length], Pad);
            Ops.Sum(Ops.Mul(y, y)).Backward();
        }
        Assert.NotNull(rows.Table.RowGrad);
        Assert.Equal(dense.Table.Grad.ToArray(), rows.Table.Grad.ToArray());
        Assert.Null(rows.Table.RowGrad); // it is dense from then on
        Assert.Equal(new float[W], rows.Table.Grad.Slice(Pad * W, W).ToArray()); // the padding row gets nothing
    }
}
