using System.Numerics.Tensors;

namespace Attend.Tensors;

/// <summary>A lookup table's gradient kept as the rows looked up (<see cref="RowGradient"/>): never beside the dense one.</summary>
public sealed partial class Tensor
{
    private RowGradient? _rowGrad;
    private bool _rowGradPresent;

    /// <summary>
    /// The gradient as rows (<see cref="RowGradient"/>) when an embedding's backward left it that way and nothing
    /// has read it whole since; null otherwise (then read <see cref="Grad"/>).
    /// </summary>
    internal RowGradient? RowGrad => _rowGradPresent ? _rowGrad : null;

    /// <summary>
    /// grad[rows[i]] += d[i] (d [rows.Length, W], this tensor [R, W]) except for rows equal to <paramref name="skip"/>:
    /// an embedding's backward. A parameter whose gradient is set to none between steps (<see cref="DropGrad"/>)
    /// and has none yet keeps it as rows (<see cref="RowGrad"/>); otherwise it is added into the dense gradient.
    /// </summary>
    internal void AccumulateRows(ReadOnlySpan<int> rows, ReadOnlySpan<float> d, int skip)
    {
        Usable();
        int w = Shape[^1];
        if (_grad is null && _gradFromPool && _scope is null && Rank == 2)
        {
            _rowGrad ??= new RowGradient(Shape[0], w);
            _rowGradPresent = true;
            _rowGrad.Add(rows, d, skip);
            return;
        }
        var dw = Grad;
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i] == skip) continue;
            var row = dw.Slice(rows[i] * w, w);
            TensorPrimitives.Add(row, d.Slice(i * w, w), row);
        }
    }

    /// <summary>A gradient kept as rows becomes the dense one (for a reader of <see cref="Grad"/>).</summary>
    private void Densify()
    {
        if (!_rowGradPresent) return;
        _grad = PooledGrad ? BufferPool.Shared.Rent(Length) : new float[Length];
        _rowGrad!.CopyTo(_grad.AsSpan(0, Length));
        _rowGrad.Release();
        _rowGradPresent = false;
    }

    /// <summary>Forgets a gradient kept as rows (its buffer back to the pool).</summary>
    private void DropRowGrad()
    {
        if (!_rowGradPresent) return;
        _rowGrad!.Release();
        _rowGradPresent = false;
    }
}
