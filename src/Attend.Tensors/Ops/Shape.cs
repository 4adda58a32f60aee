using System.Numerics.Tensors;

namespace Attend.Tensors;

/// <summary>
/// Ops that move values without arithmetic: Concat, Stack, Slice, Split, Reshape, Transpose. Each
/// copies (tensors own contiguous buffers; a view would let two tensors return one pooled buffer).
/// </summary>
public static partial class Ops
{
    /// <summary>Joins tensors along <paramref name="dim"/> (negative counts from the end); other dims must match.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> xs, int dim)
    {
        if (xs.Count == 0) throw new ArgumentException("Concat: needs at least one tensor");
        var first = xs[0];
        int d = NormalizeDim(nameof(Concat), dim, first.Rank, first);
        var shape = (int[])first.Shape.Clone();
        shape[d] = 0;
        var chunks = new int[xs.Count];
        int inner = ShapeOf.Count(first.Shape.AsSpan(d + 1));
        for (int i = 0; i < xs.Count; i++)
        {
            var x = xs[i];
            bool fits = x.Rank == first.Rank;
            for (int j = 0; fits && j < x.Rank; j++) fits = j == d || x.Shape[j] == first.Shape[j];
            if (!fits)
                throw new ArgumentException($"Concat: tensor {i} {ShapeOf.Format(x.Shape)} does not match tensor 0 " +
                                            $"{ShapeOf.Format(first.Shape)} outside dimension {d}");
            shape[d] += x.Shape[d];
            chunks[i] = x.Shape[d] * inner;
        }
        return Interleave(xs, shape, ShapeOf.Count(first.Shape.AsSpan(0, d)), chunks);
    }

    /// <summary>Stacks equally shaped tensors along a new dimension <paramref name="dim"/> (in [−rank−1, rank]).</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> xs, int dim)
    {
        if (xs.Count == 0) throw new ArgumentException("Stack: needs at least one tensor");
        var first = xs[0];
        int d = NormalizeDim(nameof(Stack), dim, first.Rank + 1, first);
        for (int i = 1; i < xs.Count; i++)
            if (!ShapeOf.Same(xs[i].Shape, first.Shape))
                throw new ArgumentException($"Stack: tensor {i} {ShapeOf.Format(xs[i].Shape)} differs from tensor 0 {ShapeOf.Format(first.Shape)}");
        int[] shape = [.. first.Shape[..d], xs.Count, .. first.Shape[d..]];
        var chunks = new int[xs.Count];
        Array.Fill(chunks, ShapeOf.Count(first.Shape.AsSpan(d)));
        return Interleave(xs, shape, ShapeOf.Count(first.Shape.AsSpan(0, d)), chunks);
    }

    /// <summary>
    /// The steps of a sequence over a length-sorted batch, where step t ran only its first n_t rows:
    /// steps[t] [n_t, D] (n_t ≤ <paramref name="rows"/>; null for a step no row ran) → [rows, T, D], with
    /// rows ≥ n_t of step t exactly 0 and receiving no gradient. Stack(steps, 1) when every n_t = rows.
    /// </summary>
    public static Tensor StackSteps(IReadOnlyList<Tensor?> steps, int rows)
    {
        int d = -1;
        foreach (var x in steps)
            if (x is not null) { d = x.Rank == 2 ? x.Shape[1] : -2; break; }
        if (d == -1) throw new ArgumentException("StackSteps: needs at least one step that ran (the width D comes from it)");
        if (d == -2) d = 0; // reported by the shape check below
        return StackSteps([steps], rows, d);
    }

    /// <summary>
    /// <see cref="StackSteps(IReadOnlyList{Tensor?}, int)"/> for several directions at once, concatenated along
    /// the last dimension, and put back in the batch's order: directions[k][t] [n_t, D] → [rows, T, K·D], row r of
    /// every step landing in output row <paramref name="rowOrder"/>[r] (r itself when null; the inverse of the
    /// length sort). One copy where stacking each direction, concatenating and reordering made three. With
    /// <paramref name="sumDirections"/> the directions are summed instead, in their order → [rows, T, D]: the
    /// values of <see cref="SumChunks"/> over the concatenation, without the [rows, T, K·D] tensor or its gradient.
    /// </summary>
    public static Tensor StackSteps(IReadOnlyList<IReadOnlyList<Tensor?>> directions, int rows, int width, int[]? rowOrder = null,
        bool sumDirections = false)
    {
        int k = directions.Count;
        if (k == 0) throw new ArgumentException("StackSteps: needs at least one direction");
        int t = directions[0].Count;
        var xs = new Tensor?[k][];
        for (int j = 0; j < k; j++)
        {
            xs[j] = directions[j].ToArray();
            if (xs[j].Length != t)
                throw new ArgumentException($"StackSteps: direction {j} has {xs[j].Length} steps, direction 0 has {t}");
            foreach (var x in xs[j])
                if (x is not null && (x.Rank != 2 || x.Shape[0] > rows || x.Shape[1] != width))
                    throw new ArgumentException($"StackSteps: step {ShapeOf.Format(x.Shape)} is not [n ≤ {rows}, {width}]");
        }
        if (rowOrder is not null && rowOrder.Length != rows)
            throw new ArgumentException($"StackSteps: {rowOrder.Length} row positions for {rows} rows");
        int w = sumDirections ? width : k * width;
        var y = Tensor.Zeros(rows, t, w);
        int At(int r, int i, int j) => ((rowOrder is null ? r : rowOrder[r]) * t + i) * w + (sumDirections ? 0 : j * width);
        for (int j = 0; j < k; j++)
            for (int i = 0; i < t; i++)
            {
                var x = xs[j][i];
                if (x is null) continue;
                for (int r = 0; r < x.Shape[0]; r++)
                {
                    var dst = y.Data.Slice(At(r, i, j), width);
                    // Summed: 0 + h→ is h→ exactly, then h→ + h←, as SumChunks adds them.
                    if (sumDirections) TensorPrimitives.Add(dst, x.Data.Slice(r * width, width), dst);
                    else x.Data.Slice(r * width, width).CopyTo(dst);
                }
            }
        var parents = xs.SelectMany(steps => steps).Where(x => x is not null).Select(x => x!).ToArray();
        return y.Attach(() =>
        {
            var dy = y.Grad;
            for (int j = 0; j < k; j++)
                for (int i = 0; i < t; i++)
                {
                    var x = xs[j][i];
                    if (x is null || !x.RequiresGrad) continue;
                    var dx = x.Grad;
                    for (int r = 0; r < x.Shape[0]; r++)
                    {
                        var row = dx.Slice(r * width, width);
                        TensorPrimitives.Add(row, dy.Slice(At(r, i, j), width), row);
                    }
                }
        }, parents);
    }

    /// <summary>
    /// Concat's and Stack's shared layout: for each of <paramref name="outer"/> slabs, the output holds
    /// chunk[0] elements of xs[0], then chunk[1] of xs[1], and so on.
    /// </summary>
    private static Tensor Interleave(IReadOnlyList<Tensor> list, int[] shape, int outer, int[] chunks)
    {
        var xs = list.ToArray();
        var y = Tensor.Empty(shape);
        for (int o = 0, off = 0; o < outer; o++)
            for (int i = 0; i < xs.Length; off += chunks[i], i++)
                xs[i].Data.Slice(o * chunks[i], chunks[i]).CopyTo(y.Data.Slice(off, chunks[i]));
        return y.Attach(() =>
        {
            var dy = y.Grad;
            for (int o = 0, off = 0; o < outer; o++)
                for (int i = 0; i < xs.Length; off += chunks[i], i++)
                {
                    if (!xs[i].RequiresGrad) continue;
                    var dx = xs[i].Grad.Slice(o * chunks[i], chunks[i]);
                    TensorPrimitives.Add(dx, dy.Slice(off, chunks[i]), dx);
                }
        }, xs);
    }

    /// <summary>Elements start .. start+length−1 of dimension <paramref name="dim"/>.</summary>
    public static Tensor Slice(Tensor x, int dim, int start, int length)
    {
        int d = NormalizeDim(nameof(Slice), dim, x.Rank, x);
        int size = x.Shape[d];
        if (start < 0 || length < 0 || start + length > size)
            throw new ArgumentOutOfRangeException(nameof(start), start,
                $"Slice: [{start}, {start}+{length}) is outside dimension {d} of {ShapeOf.Format(x.Shape)} (size {size})");
        int outer = ShapeOf.Count(x.Shape.AsSpan(0, d)), inner = ShapeOf.Count(x.Shape.AsSpan(d + 1));
        int chunk = length * inner, from = start * inner, stride = size * inner;
        var shape = (int[])x.Shape.Clone();
        shape[d] = length;
        var y = Tensor.Empty(shape);
        for (int o = 0; o < outer; o++)
            x.Data.Slice(o * stride + from, chunk).CopyTo(y.Data.Slice(o * chunk, chunk));
        // Columns of a quantized weight (the decoder's split of W_ih): the same integers and scales, so the same products.
        if (x.Quantized is { } q && x.Rank == 2 && d == 1 && length > 0) y.ShareQuantized(q.Columns(start, length));
        return y.Attach(() =>
        {
            var dy = y.Grad;
            var dx = x.Grad;
            for (int o = 0; o < outer; o++)
            {
                var dxs = dx.Slice(o * stride + from, chunk);
                TensorPrimitives.Add(dxs, dy.Slice(o * chunk, chunk), dxs);
            }
        }, x);
    }

    /// <summary>
    /// Index <paramref name="index"/> of dimension <paramref name="dim"/>, that dimension removed: x [B, T, D],
    /// dim 1 → [B, D] (one step of a sequence). Equal to Reshape(Slice(x, dim, index, 1)) with one copy instead of two.
    /// With <paramref name="firstRows"/> ≥ 0 (and dim ≥ 1) only the first entries of dimension 0 are taken:
    /// x [B, T, D], dim 1, firstRows n → [n, D] (one step of the sentences of a length-sorted batch still running).
    /// </summary>
    public static Tensor Select(Tensor x, int dim, int index, int firstRows = -1)
    {
        int d = NormalizeDim(nameof(Select), dim, x.Rank, x);
        int size = x.Shape[d];
        if (index < 0 || index >= size)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Select: index {index} is outside dimension {d} of {ShapeOf.Format(x.Shape)} (size {size})");
        if (firstRows >= 0 && (d == 0 || firstRows > x.Shape[0]))
            throw new ArgumentOutOfRangeException(nameof(firstRows), firstRows, $"Select: {firstRows} first rows of {ShapeOf.Format(x.Shape)} along dimension {d} (needs dimension ≥ 1 and at most {x.Shape[0]} rows)");
        int outer = ShapeOf.Count(x.Shape.AsSpan(0, d)), inner = ShapeOf.Count(x.Shape.AsSpan(d + 1));
        if (firstRows >= 0) outer = firstRows * ShapeOf.Count(x.Shape.AsSpan(1, d - 1));
        int from = index * inner, stride = size * inner;
        var shape = new int[x.Rank - 1];
        for (int i = 0, j = 0; i < x.Rank; i++) if (i != d) shape[j++] = x.Shape[i];
        if (firstRows >= 0) shape[0] = firstRows;
        var y = Tensor.Empty(shape);
        for (int o = 0; o < outer; o++)
            x.Data.Slice(o * stride + from, inner).CopyTo(y.Data.Slice(o * inner, inner));
        return y.Attach(() =>
        {
            var dy = y.Grad;
            var dx = x.Grad;
            for (int o = 0; o < outer; o++)
            {
                var dxs = dx.Slice(o * stride + from, inner);
                TensorPrimitives.Add(dxs, dy.Slice(o * inner, inner), dxs);
            }
        }, x);
    }

    /// <summary>Cuts dimension <paramref name="dim"/> into consecutive pieces of the given sizes (which must add up to it).</summary>
    public static Tensor[] Split(Tensor x, int dim, params int[] sizes)
    {
        int d = NormalizeDim(nameof(Split), dim, x.Rank, x);
        int total = 0;
        foreach (var s in sizes) total += s;
        if (total != x.Shape[d])
            throw new ArgumentException($"Split: sizes [{string.Join(", ", sizes)}] add up to {total}, dimension {d} of {ShapeOf.Format(x.Shape)} is {x.Shape[d]}");
        var parts = new Tensor[sizes.Length];
        for (int i = 0, start = 0; i < sizes.Length; start += sizes[i], i++) parts[i] = Slice(x, d, start, sizes[i]);
        return parts;
    }

    /// <summary>Same values, new shape (one dimension may be −1: inferred). Copies.</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        var s = (int[])shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape: more than one −1 in {ShapeOf.Format(shape)}");
                infer = i;
            }
            else if (s[i] < 0) throw new ArgumentException($"Reshape: negative dimension in {ShapeOf.Format(shape)}");
            else known *= s[i];
        }
        if (infer >= 0 && known != 0 && x.Length % known == 0) s[infer] = (int)(x.Length / known);
        if (infer >= 0 && s[infer] == -1 || ShapeOf.Count(s) != x.Length)
            throw new ArgumentException($"Reshape: cannot view {ShapeOf.Format(x.Shape)} ({x.Length} elements) as {ShapeOf.Format(shape)}");
        var y = Tensor.Empty(s);
        x.Data.CopyTo(y.Data);
        return y.Attach(() => x.AccumulateGrad(y.Grad), x);
    }

    /// <summary>Swaps the last two dimensions: [..., R, C] → [..., C, R].</summary>
    public static Tensor Transpose(Tensor x)
    {
        RequireRank(nameof(Transpose), x, 2);
        int r = x.Shape[^2], c = x.Shape[^1], batch = ShapeOf.Count(x.Shape.AsSpan(0, x.Rank - 2));
        var shape = (int[])x.Shape.Clone();
        (shape[^2], shape[^1]) = (c, r);
        var y = Tensor.Empty(shape);
        for (int b = 0; b < batch; b++)
            TransposeInto(x.Data.Slice(b * r * c, r * c), y.Data.Slice(b * r * c, r * c), r, c, accumulate: false);
        return y.Attach(() =>
        {
            for (int b = 0; b < batch; b++)
                TransposeInto(y.Grad.Slice(b * r * c, r * c), x.Grad.Slice(b * r * c, r * c), c, r, accumulate: true);
        }, x);
    }

    /// <summary>dst [C, R] = (or +=) srcᵀ for src [R, C].</summary>
    private static void TransposeInto(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols, bool accumulate)
    {
        for (int i = 0; i < rows; i++)
        {
            var s = src.Slice(i * cols, cols);
            if (accumulate) for (int j = 0; j < cols; j++) dst[j * rows + i] += s[j];
            else for (int j = 0; j < cols; j++) dst[j * rows + i] = s[j];
        }
    }

    /// <summary>A dimension index in [0, rank), from one that may count from the end.</summary>
    internal static int NormalizeDim(string op, int dim, int rank, Tensor x)
    {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"{op}: dimension {dim} does not exist for {ShapeOf.Format(x.Shape)}");
        return d;
    }
}
