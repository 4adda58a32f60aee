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
    /// multiplied by the weight (a padded training batch of lengths 9..31 keeps ~65% of its rows), and the
    /// logits of the M kept rows never exist at once: when it records a graph the op computes its gradients in
    /// the forward, one chunk of rows at a time, and keeps only dx [M, R], dW [V, R] and db [V] for a seed of 1
    /// (the backward scales them by the actual seed), where Linear + CrossEntropy hold two [N, V] buffers.
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

        float eps = labelSmoothing;
        bool records = Records(x, weight, bias);
        bool wantDx = records && x.RequiresGrad, wantDw = records && weight.RequiresGrad, wantDb = records && bias is not null && bias.RequiresGrad;
        // The gradients for a seed of 1, computed here chunk by chunk while each chunk's logits are at hand:
        // the op never holds the [M, V] logits, only these (the backward scales them by the seed). A chunk's
        // logits are overwritten by their own gradient, dlogits = (softmax − q) / M.
        var dx = wantDx ? Tensor.Empty(m, r) : null;
        var dw = wantDw ? Tensor.Empty(v, r) : null;
        var db = wantDb ? Tensor.Empty(v) : null;
        int rows = Math.Min(m, LogitRows);
        float[] chunk = BufferPool.Shared.Rent(Math.Max(1, rows * v));
        float[]? ones = wantDb ? new float[rows] : null;
        if (ones is not null) Array.Fill(ones, 1f);
        float unit = m == 0 ? 0f : 1f / m;
        // Per-chunk sums added in chunk order: the loss does not depend on the thread count.
        var partial = new double[RowParallel.Chunks(m, ChunkRows)];
        for (int s0 = 0; s0 < m; s0 += rows)
        {
            int mc = Math.Min(rows, m - s0), first = s0 / ChunkRows;
            var logits = chunk.AsSpan(0, mc * v);
            var xc = packed.Data.Slice(s0 * r, mc * r);
            Gemm.Multiply(xc, weight.Data, logits, mc, v, r, transB: true);
            RowParallel.For(mc, v, ChunkRows, (c, start, end) =>
            {
                double sum = 0;
                for (int i = start; i < end; i++)
                {
                    var row = chunk.AsSpan(i * v, v);
                    if (bias is not null) TensorPrimitives.Add(row, bias.Data, row); // here, not as a serial pre-fill
                    sum += SoftmaxRow.CrossEntropy(row, ids[s0 + i], eps, out float lse);
                    if (records) SoftmaxRow.CrossEntropyGradInPlace(row, ids[s0 + i], eps, lse, unit);
                }
                partial[first + c] = sum;
            });
            if (dx is not null) Gemm.Multiply(logits, weight.Data, dx.Data.Slice(s0 * r, mc * r), mc, r, v);
            if (dw is not null) Gemm.Multiply(logits, xc, dw.Data, v, r, mc, transA: true, accumulate: s0 > 0);
            // db = 1ᵀ·dlogits: the column sums as a one-row product (threaded, fixed order).
            if (db is not null) Gemm.Multiply(ones.AsSpan(0, mc), logits, db.Data, 1, v, mc, accumulate: s0 > 0);
        }
        BufferPool.Shared.Return(chunk);
        if (!all) packed.FreeValues(); // read by the forward's products only
        double total = 0;
        foreach (var p in partial) total += p;
        var y = Tensor.Empty();
        y.Data[0] = m == 0 ? 0f : (float)(total / m);
        if (!records) return y;

        var parents = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        return y.Attach(() =>
        {
            if (m == 0) return;
            float seed = y.Grad[0];
            if (dx is not null)
            {
                if (all) x.AccumulateScaledGrad(dx, seed);
                else
                {
                    var g = x.Grad;
                    for (int i = 0; i < m; i++)
                    {
                        var row = g.Slice(kept[i] * r, r);
                        TensorPrimitives.MultiplyAdd(dx.Data.Slice(i * r, r), seed, row, row);
                    }
                }
            }
            if (dw is not null) weight.AccumulateScaledGrad(dw, seed);
            if (db is not null) bias!.AccumulateScaledGrad(db, seed);
        }, parents).Saving([.. new[] { dx, dw, db }.OfType<Tensor>()]);
    }

    /// <summary>Rows whose logits exist at once (8 MB of 8000-word logits); a multiple of ChunkRows, so the loss's partial sums are those of one pass.</summary>
    private const int LogitRows = 256;
}
