using System.Numerics.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>The output layer and its loss in one op: only the rows that are scored are ever projected.</summary>
public static partial class Ops
{
    /// <summary>
    /// <c>CrossEntropy(Linear(x, weight, bias), targets, ignoreIndex, labelSmoothing)</c> for x [N, R] (or
    /// [B, T, R], read as N = B·T rows), weight [V, R], bias [V] or null: the same loss and the same
    /// gradients, but the rows whose target is <paramref name="ignoreIndex"/> (padding) are never
    /// multiplied by the weight, and the logits of the kept rows are overwritten by their own gradient in
    /// the backward, so the op holds one [M, V] buffer (M kept rows) where Linear + CrossEntropy hold two
    /// [N, V] ones. A padded training batch of lengths 9..31 keeps ~65% of its rows.
    /// </summary>
    public static Tensor LinearCrossEntropy(Tensor x, Tensor weight, Tensor? bias, ReadOnlySpan<int> targets,
        int ignoreIndex = 0, float labelSmoothing = 0f)
    {
        if (weight.Rank != 2 || x.Rank < 2 || x.Shape[^1] != weight.Shape[1])
            throw new ArgumentException($"LinearCrossEntropy: input {ShapeOf.Format(x.Shape)} does not match weight {ShapeOf.Format(weight.Shape)} (input [N, R] or [.., R], weight [V, R])");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ArgumentException($"LinearCrossEntropy: bias {ShapeOf.Format(bias.Shape)} does not match weight {ShapeOf.Format(weight.Shape)}");
        if (labelSmoothing is < 0f or > 1f || float.IsNaN(labelSmoothing))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "LinearCrossEntropy: label smoothing must be in [0, 1]");
        int n = RowsOf(x), r = x.Shape[^1], v = weight.Shape[0];
        if (targets.Length != n)
            throw new ArgumentException($"LinearCrossEntropy: {targets.Length} targets for input {ShapeOf.Format(x.Shape)} (need N = {n})");

        var keptList = new List<int>(n);
        for (int i = 0; i < n; i++)
        {
            int t = targets[i];
            if (t == ignoreIndex) continue;
            if ((uint)t >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(targets), t, $"LinearCrossEntropy: target {t} at position {i} is outside the vocabulary of V = {v}");
            keptList.Add(i);
        }
        int[] kept = keptList.ToArray();
        int m = kept.Length;
        var ids = new int[m];
        for (int i = 0; i < m; i++) ids[i] = targets[kept[i]];

        // The kept rows, packed (x itself when nothing is ignored).
        bool all = m == n;
        var packed = all ? x : Tensor.Empty(m, r);
        if (!all)
            for (int i = 0; i < m; i++) x.Data.Slice(kept[i] * r, r).CopyTo(packed.Data.Slice(i * r, r));

        var logits = Tensor.Empty(m, v);
        Gemm.Multiply(packed.Data, weight.Data, logits.Data, m, v, r, transB: true);

        float eps = labelSmoothing;
        var lse = new float[m];
        // Per-chunk sums added in chunk order: the loss does not depend on the thread count.
        var partial = new double[RowParallel.Chunks(m, ChunkRows)];
        RowParallel.For(m, v, ChunkRows, (c, start, end) =>
        {
            double sum = 0;
            for (int i = start; i < end; i++)
            {
                var row = logits.Data.Slice(i * v, v);
                if (bias is not null) TensorPrimitives.Add(row, bias.Data, row); // here, not as a serial pre-fill
                sum += SoftmaxRow.CrossEntropy(row, ids[i], eps, out lse[i]);
            }
            partial[c] = sum;
        });
        double total = 0;
        foreach (var p in partial) total += p;
        var y = Tensor.Empty();
        y.Data[0] = m == 0 ? 0f : (float)(total / m);

        var parents = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        return y.Attach(() =>
        {
            if (m == 0) return;
            float scale = y.Grad[0] / m;
            // dlogits = scale·(softmax − q), written over the logits they are computed from.
            RowParallel.For(m, v, ChunkRows, (_, start, end) =>
            {
                for (int i = start; i < end; i++)
                    SoftmaxRow.CrossEntropyGradInPlace(logits.Data.Slice(i * v, v), ids[i], eps, lse[i], scale);
            });
            var dl = logits.Data;
            if (x.RequiresGrad)
            {
                if (all)
                {
                    var dx = x.GradForOverwrite(out bool fresh);
                    Gemm.Multiply(dl, weight.Data, dx, m, r, v, accumulate: !fresh);
                }
                else
                {
                    float[] dp = BufferPool.Shared.Rent(m * r);
                    Gemm.Multiply(dl, weight.Data, dp.AsSpan(0, m * r), m, r, v);
                    var dx = x.Grad;
                    for (int i = 0; i < m; i++)
                    {
                        var row = dx.Slice(kept[i] * r, r);
                        TensorPrimitives.Add(row, dp.AsSpan(i * r, r), row);
                    }
                    BufferPool.Shared.Return(dp);
                }
            }
            if (weight.RequiresGrad) Gemm.Multiply(dl, packed.Data, weight.Grad, v, r, m, transA: true, accumulate: true);
            if (bias is not null && bias.RequiresGrad)
            {
                // db += 1ᵀ·dlogits: the column sums as a one-row product (threaded, fixed order).
                var ones = new float[m];
                Array.Fill(ones, 1f);
                Gemm.Multiply(ones, dl, bias.Grad, 1, v, m, accumulate: true);
            }
        }, parents).Saving(all ? [logits] : [logits, packed]);
    }
}
