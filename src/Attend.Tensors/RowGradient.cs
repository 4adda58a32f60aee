namespace Attend.Tensors;

/// <summary>
/// The gradient of a [R, W] lookup table (an embedding) as the rows a batch looked up: the other rows' gradient
/// is exactly zero, so an embedding's backward fills [U, W] for the U distinct ids instead of [R, W] (1 MB against
/// 8 MB for a big vocabulary's table). The optimizer and the clipping read it row by row
/// (<see cref="Row"/>), with the same arithmetic as on the dense gradient; anything else that reads
/// <see cref="Tensor.Grad"/> gets the dense form (<see cref="Tensor"/> converts it on first access).
/// </summary>
internal sealed class RowGradient
{
    private readonly int[] _slot;  // row → its place in _values, or −1
    private int[] _rows;           // the rows present, in the order they came
    private float[] _values;       // [Count, Width], pooled
    private int _count;

    internal RowGradient(int rows, int width)
    {
        Width = width;
        _slot = new int[rows];
        Array.Fill(_slot, -1);
        _rows = new int[16];
        _values = [];
    }

    /// <summary>W, the elements of a row.</summary>
    public int Width { get; }

    /// <summary>How many rows have a gradient.</summary>
    public int Count => _count;

    /// <summary>Row <paramref name="row"/>'s gradient, or an empty span when it has none (it is zero).</summary>
    public Span<float> Row(int row)
    {
        int s = _slot[row];
        return s < 0 ? default : _values.AsSpan(s * Width, Width);
    }

    /// <summary>grad[rows[i]] += d[i] for every i, rows in order (the order of the dense scatter); a row equal to <paramref name="skip"/> gets nothing.</summary>
    internal void Add(ReadOnlySpan<int> rows, ReadOnlySpan<float> d, int skip)
    {
        int added = 0;
        foreach (int r in rows)
            if (r != skip && _slot[r] < 0)
            {
                _slot[r] = int.MaxValue; // counted once
                added++;
            }
        if (added > 0) Grow(added);
        foreach (int r in rows)
            if (_slot[r] == int.MaxValue)
            {
                if (_count == _rows.Length) Array.Resize(ref _rows, _rows.Length * 2);
                _rows[_count] = r;
                _slot[r] = _count;
                _values.AsSpan(_count * Width, Width).Clear();
                _count++;
            }
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i] == skip) continue;
            var g = _values.AsSpan(_slot[rows[i]] * Width, Width);
            System.Numerics.Tensors.TensorPrimitives.Add(g, d.Slice(i * Width, Width), g);
        }
    }

    private void Grow(int added)
    {
        int need = (_count + added) * Width;
        if (need <= _values.Length) return;
        var bigger = BufferPool.Shared.Rent(need);
        _values.AsSpan(0, _count * Width).CopyTo(bigger);
        if (_values.Length > 0) BufferPool.Shared.Return(_values);
        _values = bigger;
    }

    /// <summary>The dense gradient [R, W] into <paramref name="dense"/> (every element written).</summary>
    internal void CopyTo(Span<float> dense)
    {
        dense.Clear();
        for (int i = 0; i < _count; i++) _values.AsSpan(i * Width, Width).CopyTo(dense.Slice(_rows[i] * Width, Width));
    }

    /// <summary>Every row back to zero (no row present); the buffer is kept.</summary>
    internal void Clear()
    {
        for (int i = 0; i < _count; i++) _slot[_rows[i]] = -1;
        _count = 0;
    }

    /// <summary><see cref="Clear"/> and the buffer back to the pool.</summary>
    internal void Release()
    {
        Clear();
        if (_values.Length > 0) BufferPool.Shared.Return(_values);
        _values = [];
    }
}
