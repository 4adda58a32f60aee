using System.Numerics.Tensors;

namespace Attend.Tensors;

/// <summary>Row lookups: Embedding and IndexSelect, whose backward scatter-adds into the rows read.</summary>
public static partial class Ops
{
    /// <summary>
    /// Rows of weight [V, E] at <paramref name="ids"/> → [...idsShape, E]. The row <paramref name="paddingIdx"/>
    /// (if ≥ 0) is looked up like any other but never receives a gradient, so it stays what it was (zero).
    /// </summary>
    public static Tensor Embedding(Tensor weight, ReadOnlySpan<int> ids, int[] idsShape, int paddingIdx = -1)
    {
        if (weight.Rank != 2)
            throw new ArgumentException($"Embedding: weight must be [V, E], got {ShapeOf.Format(weight.Shape)}");
        if (ShapeOf.Count(idsShape) != ids.Length)
            throw new ArgumentException($"Embedding: {ids.Length} ids do not fill ids shape {ShapeOf.Format(idsShape)}");
        int v = weight.Shape[0], e = weight.Shape[1];
        int[] rows = CheckedRows(nameof(Embedding), ids, v, "the vocabulary, V");
        var y = Tensor.Empty([.. idsShape, e]);
        for (int i = 0; i < rows.Length; i++)
            weight.Data.Slice(rows[i] * e, e).CopyTo(y.Data.Slice(i * e, e));
        // The table's gradient: rows of the ids looked up (kept as rows for a parameter whose gradient is set to none).
        return y.Attach(() => weight.AccumulateRows(rows, y.Grad, paddingIdx), weight);
    }

    /// <summary>
    /// x[rows] along dimension 0: x [N, ...] → [rows.Length, ...]. Rows may repeat (beam reordering);
    /// backward adds each output row's gradient back into the row it came from.
    /// </summary>
    public static Tensor IndexSelect(Tensor x, ReadOnlySpan<int> rows)
    {
        RequireRank(nameof(IndexSelect), x, 1);
        int n = x.Shape[0], inner = ShapeOf.Count(x.Shape.AsSpan(1));
        int[] idx = CheckedRows(nameof(IndexSelect), rows, n, $"dimension 0 of {ShapeOf.Format(x.Shape)}, size");
        var shape = (int[])x.Shape.Clone();
        shape[0] = idx.Length;
        var y = Tensor.Empty(shape);
        for (int i = 0; i < idx.Length; i++)
            x.Data.Slice(idx[i] * inner, inner).CopyTo(y.Data.Slice(i * inner, inner));
        return y.Attach(() =>
        {
            var dx = x.Grad;
            var dy = y.Grad;
            for (int i = 0; i < idx.Length; i++)
            {
                var dxr = dx.Slice(idx[i] * inner, inner);
                TensorPrimitives.Add(dxr, dy.Slice(i * inner, inner), dxr);
            }
        }, x);
    }

    /// <summary>Copies the indices (spans cannot live in a closure) and checks each is in [0, n).</summary>
    private static int[] CheckedRows(string op, ReadOnlySpan<int> ids, int n, string what)
    {
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(ids), ids[i], $"{op}: id {ids[i]} at position {i} is outside {what} = {n}");
        return ids.ToArray();
    }
}
