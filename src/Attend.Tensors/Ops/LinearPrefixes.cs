using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>A linear layer over the real positions of a padded batch of sequences.</summary>
public static partial class Ops
{
    /// <summary>
    /// y[b, s] = W·x[b, s] for s &lt; lengths[b], and 0 at the padding: x [B, S, In], weight [Out, In] → [B, S, Out].
    /// The real positions are gathered into one [N, In] product (N = Σ lengths), so the padding costs nothing;
    /// each real row gets the bits a whole-batch product would give it whenever N is above the GEMM's few-rows
    /// route. The backward reads and writes the real rows only.
    /// </summary>
    public static Tensor LinearPrefixes(Tensor x, Tensor weight, ReadOnlySpan<int> lengths)
    {
        if (x.Rank != 3 || weight.Rank != 2 || x.Shape[2] != weight.Shape[1])
            throw new ArgumentException($"LinearPrefixes: input {ShapeOf.Format(x.Shape)} is not [B, S, In] for weight {ShapeOf.Format(weight.Shape)} (weight is [out, in])");
        int b = x.Shape[0], s = x.Shape[1], inF = x.Shape[2], outF = weight.Shape[0];
        if (lengths.Length != b)
            throw new ArgumentException($"LinearPrefixes: {lengths.Length} lengths for a batch of {b} (input {ShapeOf.Format(x.Shape)})");
        int n = 0;
        for (int i = 0; i < b; i++)
        {
            if (lengths[i] < 0 || lengths[i] > s)
                throw new ArgumentException($"LinearPrefixes: length {lengths[i]} of sentence {i} is outside 0..{s} (input {ShapeOf.Format(x.Shape)})");
            n += lengths[i];
        }
        var lens = lengths.ToArray();
        var y = Tensor.Empty(b, s, outF);
        if (n == b * s) Gemm.Multiply(x.Data, weight.Data, y.Data, n, outF, inF, transB: true);
        else
        {
            var xs = BufferPool.Shared.Rent(Math.Max(1, n * inF));
            var ys = BufferPool.Shared.Rent(Math.Max(1, n * outF));
            Gather(x.Data, lens, s, inF, xs);
            Gemm.Multiply(xs.AsSpan(0, n * inF), weight.Data, ys.AsSpan(0, n * outF), n, outF, inF, transB: true);
            Scatter(ys, lens, s, outF, y.Data, zeroPadding: true);
            BufferPool.Shared.Return(xs);
            BufferPool.Shared.Return(ys);
        }
        return y.Attach(() =>
        {
            var dys = BufferPool.Shared.Rent(Math.Max(1, n * outF));
            Gather(y.Grad, lens, s, outF, dys);
            var dy = dys.AsSpan(0, n * outF);
            if (x.RequiresGrad)
            {
                var dxs = BufferPool.Shared.Rent(Math.Max(1, n * inF));
                Gemm.Multiply(dy, weight.Data, dxs.AsSpan(0, n * inF), n, inF, outF);
                ScatterAdd(dxs, lens, s, inF, x.Grad);
                BufferPool.Shared.Return(dxs);
            }
            if (weight.RequiresGrad)
            {
                var xs = BufferPool.Shared.Rent(Math.Max(1, n * inF));
                Gather(x.Data, lens, s, inF, xs);
                Gemm.Multiply(dy, xs.AsSpan(0, n * inF), weight.Grad, outF, inF, n, transA: true, accumulate: true);
                BufferPool.Shared.Return(xs);
            }
            BufferPool.Shared.Return(dys);
        }, x, weight);
    }

    /// <summary>The first lengths[b] rows of each sentence of <paramref name="src"/> [B, S, D], one after another into <paramref name="dst"/> [N, D].</summary>
    private static void Gather(ReadOnlySpan<float> src, int[] lengths, int s, int d, Span<float> dst)
    {
        for (int b = 0, at = 0; b < lengths.Length; at += lengths[b] * d, b++)
            src.Slice(b * s * d, lengths[b] * d).CopyTo(dst.Slice(at));
    }

    /// <summary><see cref="Gather"/>'s inverse: the rows of <paramref name="src"/> [N, D] back to their sentences in <paramref name="dst"/> [B, S, D].</summary>
    private static void Scatter(ReadOnlySpan<float> src, int[] lengths, int s, int d, Span<float> dst, bool zeroPadding)
    {
        for (int b = 0, at = 0; b < lengths.Length; at += lengths[b] * d, b++)
        {
            src.Slice(at, lengths[b] * d).CopyTo(dst.Slice(b * s * d));
            if (zeroPadding) dst.Slice((b * s + lengths[b]) * d, (s - lengths[b]) * d).Clear();
        }
    }

    /// <summary>As <see cref="Scatter"/>, adding into <paramref name="dst"/>'s real rows.</summary>
    private static void ScatterAdd(ReadOnlySpan<float> src, int[] lengths, int s, int d, Span<float> dst)
    {
        for (int b = 0, at = 0; b < lengths.Length; at += lengths[b] * d, b++)
        {
            var rows = dst.Slice(b * s * d, lengths[b] * d);
            System.Numerics.Tensors.TensorPrimitives.Add(rows, src.Slice(at, lengths[b] * d), rows);
        }
    }
}
