using System.Numerics.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>
/// The operations on tensors, each with its backward: a result records how to carry its gradient back to its
/// inputs while <see cref="GradMode.IsEnabled"/> on the calling thread. Ops read their inputs and write only their
/// result, so under <see cref="GradMode.Off"/> several threads may run ops on shared inputs at once (decoding shares
/// the weights this way); a backward through shared tensors needs the caller's own exclusion. This part: matrix products, MatMul (optionally batched over a
/// leading dimension) and Linear.
/// </summary>
public static partial class Ops
{
    /// <summary>
    /// op(a)·op(b). 2-D: a [M, K] (or [K, M] with <paramref name="transA"/>), b [K, N] (or [N, K] with
    /// <paramref name="transB"/>) → [M, N]. 3-D: the same for each of B batches, a [B, ·, ·], b [B, ·, ·].
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        if (a.Rank != b.Rank || a.Rank is not (2 or 3))
            throw new ArgumentException($"MatMul: needs two 2-D or two 3-D tensors, got {ShapeOf.Format(a.Shape)} and {ShapeOf.Format(b.Shape)}");
        int batch = a.Rank == 3 ? a.Shape[0] : 1;
        if (a.Rank == 3 && b.Shape[0] != batch)
            throw new ArgumentException($"MatMul: batch sizes differ, {ShapeOf.Format(a.Shape)} vs {ShapeOf.Format(b.Shape)}");
        int m = transA ? a.Shape[^1] : a.Shape[^2], k = transA ? a.Shape[^2] : a.Shape[^1];
        int kb = transB ? b.Shape[^1] : b.Shape[^2], n = transB ? b.Shape[^2] : b.Shape[^1];
        if (k != kb)
            throw new ArgumentException($"MatMul: inner sizes differ, {ShapeOf.Format(a.Shape)}{(transA ? "ᵀ" : "")} · {ShapeOf.Format(b.Shape)}{(transB ? "ᵀ" : "")} ({k} vs {kb})");
        var y = Tensor.Empty(a.Rank == 3 ? [batch, m, n] : [m, n]);
        int sa = m * k, sb = k * n, sy = m * n;
        for (int i = 0; i < batch; i++)
            Gemm.Multiply(a.Data.Slice(i * sa, sa), b.Data.Slice(i * sb, sb), y.Data.Slice(i * sy, sy), m, n, k, transA, transB);
        return y.Attach(() =>
        {
            for (int i = 0; i < batch; i++)
            {
                var dy = y.Grad.Slice(i * sy, sy);
                // dA = dY·op(B)ᵀ, stored in A's own layout; dB = op(A)ᵀ·dY likewise.
                if (a.RequiresGrad)
                {
                    var da = a.Grad.Slice(i * sa, sa);
                    if (!transA) Gemm.Multiply(dy, b.Data.Slice(i * sb, sb), da, m, k, n, false, !transB, accumulate: true);
                    else Gemm.Multiply(b.Data.Slice(i * sb, sb), dy, da, k, m, n, transB, true, accumulate: true);
                }
                if (b.RequiresGrad)
                {
                    var db = b.Grad.Slice(i * sb, sb);
                    if (!transB) Gemm.Multiply(a.Data.Slice(i * sa, sa), dy, db, k, n, m, !transA, false, accumulate: true);
                    else Gemm.Multiply(dy, a.Data.Slice(i * sa, sa), db, n, k, m, true, transA, accumulate: true);
                }
            }
        }, a, b);
    }

    /// <summary>
    /// x·Wᵀ + b, as PyTorch's nn.Linear: x [..., In], weight [Out, In], bias [Out] or null → [..., Out]. A weight
    /// holding a quantized copy (int8, bf16) multiplies in its precision.
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2 || x.Rank < 1 || x.Shape[^1] != weight.Shape[1])
            throw new ArgumentException($"Linear: input {ShapeOf.Format(x.Shape)} does not match weight {ShapeOf.Format(weight.Shape)} (weight is [out, in])");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ArgumentException($"Linear: bias {ShapeOf.Format(bias.Shape)} does not match weight {ShapeOf.Format(weight.Shape)}");
        int rows = x.Length / Math.Max(1, x.Shape[^1]), inF = weight.Shape[1], outF = weight.Shape[0];
        if (inF == 0) rows = ShapeOf.Count(x.Shape.AsSpan(0, x.Rank - 1));
        var shape = (int[])x.Shape.Clone();
        shape[^1] = outF;
        var y = Tensor.Empty(shape);
        if (weight.Quantized is { } q && q.Runs(rows) && inF > 0) q.Multiply(x.Data, bias is null ? default : bias.Data, y.Data, rows);
        else if (weight.Packed is { } packed && inF > 0) Gemm.MultiplyPrepacked(x.Data, weight.Data, packed, bias is null ? default : bias.Data, y.Data, rows);
        else if (bias is not null) Gemm.MultiplyAddRowBias(x.Data, weight.Data, bias.Data, y.Data, rows, outF, inF, transB: true);
        else Gemm.Multiply(x.Data, weight.Data, y.Data, rows, outF, inF, transB: true);
        var parents = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        return y.Attach(() =>
        {
            var dy = y.Grad;
            LinearGrads(dy, x, weight, rows, inF, outF);
            if (bias is not null && bias.RequiresGrad)
            {
                var db = bias.Grad;
                for (int r = 0; r < rows; r++) TensorPrimitives.Add(db, dy.Slice(r * outF, outF), db);
            }
        }, parents);
    }

    /// <summary>The gradients of y = x·Wᵀ from dy [rows, Out]: dx = dy·W (written when x has no gradient yet, else added), dW += dyᵀ·x.</summary>
    private static void LinearGrads(ReadOnlySpan<float> dy, Tensor x, Tensor weight, int rows, int inF, int outF)
    {
        if (x.RequiresGrad)
        {
            var dx = x.GradForOverwrite(out bool fresh);
            Gemm.Multiply(dy, weight.Data, dx, rows, inF, outF, accumulate: !fresh);
        }
        if (weight.RequiresGrad) Gemm.Multiply(dy, x.Data, weight.Grad, outF, inF, rows, transA: true, accumulate: true);
    }
}
