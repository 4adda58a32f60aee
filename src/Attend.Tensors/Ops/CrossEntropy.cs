using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>Fused log-softmax + negative log-likelihood with padding and label smoothing.</summary>
public static partial class Ops
{
    /// <summary>
    /// Mean cross-entropy of logits [N, V] (or [B, T, V], read as N = B·T rows without a copy) against N target ids, over the positions whose target is not
    /// <paramref name="ignoreIndex"/>, as PyTorch's <c>F.cross_entropy(ignore_index, label_smoothing=ε)</c>:
    /// per position (1 − ε)·(−log p_t) + ε·mean_v(−log p_v). Returns a scalar; 0 (with zero gradient)
    /// when every target is ignored. Backward writes (p − q)·g/count straight into the logits' gradient,
    /// q being the smoothed target distribution; ignored rows get none.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> targets, int ignoreIndex = 0, float labelSmoothing = 0f)
    {
        if (logits.Rank < 2)
            throw new ArgumentException($"CrossEntropy: logits must be [N, V] or [.., V], got {ShapeOf.Format(logits.Shape)}");
        int v = logits.Shape[^1], n = RowsOf(logits);
        if (targets.Length != n)
            throw new ArgumentException($"CrossEntropy: {targets.Length} targets for logits {ShapeOf.Format(logits.Shape)} (need N = {n})");
        if (labelSmoothing is < 0f or > 1f || float.IsNaN(labelSmoothing))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "CrossEntropy: label smoothing must be in [0, 1]");
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            int t = targets[i];
            if (t == ignoreIndex) continue;
            if ((uint)t >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(targets), t, $"CrossEntropy: target {t} at position {i} is outside the vocabulary of V = {v}");
            count++;
        }

        float eps = labelSmoothing;
        int[] ids = targets.ToArray();
        var lse = Tensor.Empty(n); // per-row log-sum-exp, kept for the backward
        // Rows are independent; per-chunk sums added in chunk order keep the loss bit-identical for any thread count.
        var partial = new double[RowParallel.Chunks(n, ChunkRows)];
        RowParallel.For(n, v, ChunkRows, (c, start, end) =>
        {
            double sum = 0;
            for (int i = start; i < end; i++)
            {
                if (ids[i] == ignoreIndex) { lse.Data[i] = 0f; continue; }
                sum += SoftmaxRow.CrossEntropy(logits.Data.Slice(i * v, v), ids[i], eps, out lse.Data[i]);
            }
            partial[c] = sum;
        });
        double total = 0;
        foreach (var p in partial) total += p;
        var y = Tensor.Empty();
        y.Data[0] = count == 0 ? 0f : (float)(total / count);
        return y.Attach(() =>
        {
            if (count == 0) return;
            float scale = y.Grad[0] / count;
            _ = logits.Grad.Length; // allocate the lazy gradient here, not racily inside the threads
            RowParallel.For(n, v, ChunkRows, (_, start, end) =>
            {
                for (int i = start; i < end; i++)
                    if (ids[i] != ignoreIndex)
                        SoftmaxRow.CrossEntropyBackward(logits.Data.Slice(i * v, v), ids[i], eps, lse.Data[i], scale, logits.Grad.Slice(i * v, v));
            });
        }, logits).Saving(lse);
    }

    /// <summary>Rows per parallel chunk of the cross-entropy (a chunk of 8000-word rows is ~1 MB of logits).</summary>
    private const int ChunkRows = 32;
}
