using Attend.Tensors;

namespace Attend.Nn;

/// <summary>
/// The two small ops that make a padded batch behave like separate sentences in a recurrence:
/// rows of finished sentences keep their state (<see cref="Blend"/>) and emit zeros (<see cref="MaskRows"/>).
/// Rows are the leading index of a [B, H] tensor; <c>active[b]</c> says whether sentence b has a real token.
/// </summary>
internal static class RowMask
{
    /// <summary>Row b of the result is next[b] when active[b], else prev[b] (copied, so a padded step is an exact no-op).</summary>
    public static Tensor Blend(Tensor next, Tensor prev, bool[] active)
    {
        ShapeOf.RequireSame(nameof(Blend), next, prev);
        int rows = active.Length, cols = next.Length / Math.Max(1, rows);
        if (next.Shape[0] != rows) throw new ArgumentException($"Blend: {ShapeOf.Format(next.Shape)} has {next.Shape[0]} rows, mask has {rows}");
        var y = Tensor.Empty(next.Shape);
        for (int r = 0; r < rows; r++)
            (active[r] ? next : prev).Data.Slice(r * cols, cols).CopyTo(y.Data.Slice(r * cols, cols));
        return y.Attach(() =>
        {
            var dy = y.Grad;
            for (int r = 0; r < rows; r++)
            {
                var src = (active[r] ? next : prev);
                if (!src.RequiresGrad) continue;
                var d = src.Grad.Slice(r * cols, cols);
                var g = dy.Slice(r * cols, cols);
                for (int i = 0; i < cols; i++) d[i] += g[i];
            }
        }, next, prev);
    }

    /// <summary>x with the rows of inactive sentences set to exactly 0.</summary>
    public static Tensor MaskRows(Tensor x, bool[] active)
    {
        int rows = active.Length, cols = x.Length / Math.Max(1, rows);
        if (x.Shape[0] != rows) throw new ArgumentException($"MaskRows: {ShapeOf.Format(x.Shape)} has {x.Shape[0]} rows, mask has {rows}");
        var y = Tensor.Empty(x.Shape);
        for (int r = 0; r < rows; r++)
        {
            var dst = y.Data.Slice(r * cols, cols);
            if (active[r]) x.Data.Slice(r * cols, cols).CopyTo(dst);
            else dst.Clear();
        }
        return y.Attach(() =>
        {
            var dy = y.Grad;
            var dx = x.Grad;
            for (int r = 0; r < rows; r++)
            {
                if (!active[r]) continue;
                for (int i = r * cols; i < (r + 1) * cols; i++) dx[i] += dy[i];
            }
        }, x);
    }
}
