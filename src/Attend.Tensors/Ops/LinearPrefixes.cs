using System.Numerics.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>A linear layer over the real positions of a padded batch of sequences.</summary>
public static partial class Ops
{
    /// <summary>
    /// y[b, s] = W·x[b, s] for s &lt; lengths[b], and 0 at the padding: x [B, S, In], weight [Out, In] → [B, S, Out].
    /// The N = Σ lengths real positions are gathered into products of <see cref="PrefixChunkRows"/> rows, so the
    /// padding costs nothing; each real row gets the bits a whole-batch product would give it whenever N is above
    /// the GEMM's few-rows route. The backward reads and writes the real rows only.
    /// </summary>
    public static Tensor LinearPrefixes(Tensor x, Tensor weight, ReadOnlySpan<int> lengths) => LinearPrefixes([x], weight, lengths);

    /// <summary>
    /// <see cref="LinearPrefixes(Tensor, Tensor, ReadOnlySpan{int})"/> of the concatenation of xs[j] [B, S, In_j] along
    /// the last dimension, weight [Out, Σ In_j] (Luong's W_c [c; h] over a target): only the real rows are
    /// concatenated, a chunk at a time, into the product's own transient operand, which the backward gathers again.
    /// </summary>
    public static Tensor LinearPrefixes(IReadOnlyList<Tensor> xs, Tensor weight, ReadOnlySpan<int> lengths)
    {
        if (xs.Count == 0) throw new ArgumentException("LinearPrefixes: needs at least one input");
        var first = xs[0];
        int inF = 0;
        foreach (var x in xs)
        {
            if (x.Rank != 3 || x.Shape[0] != first.Shape[0] || x.Shape[1] != first.Shape[1])
                throw new ArgumentException($"LinearPrefixes: input {ShapeOf.Format(x.Shape)} is not [B, S, In] as input 0 {ShapeOf.Format(first.Shape)}");
            inF += x.Shape[2];
        }
        if (weight.Rank != 2 || weight.Shape[1] != inF)
            throw new ArgumentException($"LinearPrefixes: inputs of {inF} features in all ({string.Join(", ", xs.Select(x => ShapeOf.Format(x.Shape)))}) do not match weight {ShapeOf.Format(weight.Shape)} (weight is [out, in])");
        int b = first.Shape[0], s = first.Shape[1], outF = weight.Shape[0];
        if (lengths.Length != b)
            throw new ArgumentException($"LinearPrefixes: {lengths.Length} lengths for a batch of {b} (input {ShapeOf.Format(first.Shape)})");
        int n = 0;
        for (int i = 0; i < b; i++)
        {
            if (lengths[i] < 0 || lengths[i] > s)
                throw new ArgumentException($"LinearPrefixes: length {lengths[i]} of sentence {i} is outside 0..{s} (input {ShapeOf.Format(first.Shape)})");
            n += lengths[i];
        }
        var parts = xs.ToArray();
        var lens = lengths.ToArray();
        var at = RealPositions(lens, s, n);
        var y = Tensor.Empty(b, s, outF);
        // No padding and one input: the input is the product's operand as it is.
        bool whole = n == b * s && parts.Length == 1;
        var quantized = weight.Quantized is { } q && q.Runs(n) ? q : null;
        if (whole && quantized is not null) quantized.Multiply(first.Data, default, y.Data, n);
        else if (whole) Gemm.Multiply(first.Data, weight.Data, y.Data, n, outF, inF, transB: true);
        else
        {
            var xc = BufferPool.Shared.Rent(MaxPrefixChunk(n) * inF);
            var yc = BufferPool.Shared.Rent(MaxPrefixChunk(n) * outF);
            foreach (var (r0, m) in PrefixChunks(n))
            {
                GatherRows(parts, at, inF, r0, m, xc, gradients: false);
                if (quantized is not null) quantized.Multiply(xc.AsSpan(0, m * inF), default, yc.AsSpan(0, m * outF), m);
                else Gemm.Multiply(xc.AsSpan(0, m * inF), weight.Data, yc.AsSpan(0, m * outF), m, outF, inF, transB: true);
                ScatterRows(yc, at, outF, r0, m, y.Data);
            }
            ClearPadding(lens, s, outF, y.Data);
            BufferPool.Shared.Return(xc);
            BufferPool.Shared.Return(yc);
        }
        return y.Attach(() =>
        {
            bool dxNeeded = parts.Any(x => x.RequiresGrad);
            if (whole)
            {
                if (dxNeeded)
                {
                    var dx = first.GradForOverwrite(out bool fresh);
                    Gemm.Multiply(y.Grad, weight.Data, dx, n, inF, outF, accumulate: !fresh);
                }
                if (weight.RequiresGrad) Gemm.Multiply(y.Grad, first.Data, weight.Grad, outF, inF, n, transA: true, accumulate: true);
                return;
            }
            var dyc = BufferPool.Shared.Rent(MaxPrefixChunk(n) * outF);
            var xc = BufferPool.Shared.Rent(MaxPrefixChunk(n) * inF);
            foreach (var (r0, m) in PrefixChunks(n))
            {
                GatherRows([y], at, outF, r0, m, dyc, gradients: true);
                var dy = dyc.AsSpan(0, m * outF);
                if (dxNeeded)
                {
                    Gemm.Multiply(dy, weight.Data, xc.AsSpan(0, m * inF), m, inF, outF);
                    ScatterAddRows(xc, parts, at, inF, r0, m);
                }
                if (weight.RequiresGrad)
                {
                    GatherRows(parts, at, inF, r0, m, xc, gradients: false);
                    Gemm.Multiply(dy, xc.AsSpan(0, m * inF), weight.Grad, outF, inF, m, transA: true, accumulate: true);
                }
            }
            BufferPool.Shared.Return(dyc);
            BufferPool.Shared.Return(xc);
        }, [.. parts, weight]);
    }

    /// <summary>
    /// Real rows per product: the gathered operands of a chunk are small transient buffers (1 MB for 1,024 inputs)
    /// rather than copies of the whole batch, which would raise the pool's peak.
    /// </summary>
    private const int PrefixChunkRows = 256;

    /// <summary>The most rows a chunk of <paramref name="n"/> real rows has (<see cref="PrefixChunks"/>).</summary>
    private static int MaxPrefixChunk(int n) => Math.Max(1, Math.Min(n, PrefixChunkRows + Gemm.MaxDirectRows));

    /// <summary>
    /// (first row, rows) of the chunks of <paramref name="n"/> real rows: <see cref="PrefixChunkRows"/> each, the last one
    /// taking a remainder too small for the GEMM's packed route, so that every chunk of a product over more than
    /// <see cref="Gemm.MaxDirectRows"/> rows gives each row the bits of one product over all of them.
    /// </summary>
    private static IEnumerable<(int First, int Rows)> PrefixChunks(int n)
    {
        for (int r0 = 0; r0 < n;)
        {
            int m = Math.Min(PrefixChunkRows, n - r0);
            if (n - r0 - m <= Gemm.MaxDirectRows) m = n - r0;
            yield return (r0, m);
            r0 += m;
        }
    }

    /// <summary>The position b·S + i in the padded batch of each of the <paramref name="n"/> real rows, sentence by sentence.</summary>
    private static int[] RealPositions(int[] lengths, int s, int n)
    {
        var at = new int[n];
        for (int b = 0, row = 0; b < lengths.Length; b++)
            for (int i = 0; i < lengths[b]; i++) at[row++] = b * s + i;
        return at;
    }

    /// <summary>
    /// Real rows r0 .. r0 + m − 1 (at padded positions <paramref name="at"/>) of the inputs [B, S, In_j] (their values,
    /// or with <paramref name="gradients"/> their gradients), side by side, into <paramref name="dst"/> [m, Σ In_j].
    /// </summary>
    private static void GatherRows(Tensor[] xs, int[] at, int width, int r0, int m, Span<float> dst, bool gradients)
    {
        for (int j = 0, col = 0; j < xs.Length; col += xs[j].Shape[2], j++)
        {
            int d = xs[j].Shape[2];
            ReadOnlySpan<float> src = gradients ? xs[j].Grad : xs[j].Data;
            for (int r = 0; r < m; r++) src.Slice(at[r0 + r] * d, d).CopyTo(dst.Slice(r * width + col, d));
        }
    }

    /// <summary>Rows of <paramref name="src"/> [m, D] (real rows r0 ..) to their positions in <paramref name="dst"/> [B, S, D].</summary>
    private static void ScatterRows(ReadOnlySpan<float> src, int[] at, int d, int r0, int m, Span<float> dst)
    {
        for (int r = 0; r < m; r++) src.Slice(r * d, d).CopyTo(dst.Slice(at[r0 + r] * d, d));
    }

    /// <summary>Adds the columns of <paramref name="src"/> [m, Σ In_j] (real rows r0 ..) into each input's gradient.</summary>
    private static void ScatterAddRows(ReadOnlySpan<float> src, Tensor[] xs, int[] at, int width, int r0, int m)
    {
        for (int j = 0, col = 0; j < xs.Length; col += xs[j].Shape[2], j++)
        {
            if (!xs[j].RequiresGrad) continue;
            int d = xs[j].Shape[2];
            var g = xs[j].Grad;
            for (int r = 0; r < m; r++)
            {
                var dst = g.Slice(at[r0 + r] * d, d);
                TensorPrimitives.Add(dst, src.Slice(r * width + col, d), dst);
            }
        }
    }

    private static void ClearPadding(int[] lengths, int s, int d, Span<float> y)
    {
        for (int b = 0; b < lengths.Length; b++) y.Slice((b * s + lengths[b]) * d, (s - lengths[b]) * d).Clear();
    }
}
