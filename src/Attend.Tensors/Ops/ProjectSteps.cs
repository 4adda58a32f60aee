using System.Numerics.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>
/// A sequence's input projection, a chunk of steps at a time, whose gradient arrives one step at a time: the
/// recurrent cells and the decoder's step inputs read step t of a chunk in place (<see cref="GruCellAt"/>,
/// <see cref="LstmCellAt"/>, <see cref="AddStep"/>, <see cref="LinearAddStep"/>), and their backwards hand that
/// step's gradient to the chunk's sink, which turns it into dW, db and dx at once.
/// </summary>
/// <remarks>
/// Against one <see cref="Linear"/> over the whole [B, T, In] input: the [B, T, G·H] values exist a chunk at a
/// time ([B, 8, G·H] instead of [B, T, G·H]: 12 MB against 3 MB for a big GRU's direction, B 64, T 30, 3H 1536),
/// their gradient never exists (the cells' backwards held it from the last step's backward to the first's),
/// and the rows a chunk's steps do not run (the padding of a length-sorted batch) are not projected. The
/// backward does the same arithmetic in another order (the steps' products are summed into dW one after
/// another instead of in one product over every row).
/// </remarks>
public static partial class Ops
{
    /// <summary>
    /// x[:rows, first..first+count, :]·Wᵀ + b for x [B, T, In], <paramref name="weight"/> [Out, In],
    /// <paramref name="bias"/> [Out] (or null) → [rows, count, Out]. Step j of the result is step first + j of x.
    /// </summary>
    public static Tensor ProjectSteps(Tensor x, Tensor weight, Tensor? bias, int first, int count, int rows)
    {
        if (x.Rank != 3 || weight.Rank != 2 || x.Shape[2] != weight.Shape[1])
            throw new ArgumentException($"{nameof(ProjectSteps)}: input {ShapeOf.Format(x.Shape)} is not a sequence [B, T, In] matching weight {ShapeOf.Format(weight.Shape)} (weight is [out, in])");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ArgumentException($"{nameof(ProjectSteps)}: bias {ShapeOf.Format(bias.Shape)} does not match weight {ShapeOf.Format(weight.Shape)}");
        int b = x.Shape[0], t = x.Shape[1], inF = x.Shape[2], outF = weight.Shape[0];
        if (first < 0 || count < 1 || first + count > t || rows < 1 || rows > b)
            throw new ArgumentOutOfRangeException(nameof(first), $"{nameof(ProjectSteps)}: steps {first}..{first + count - 1} of rows 0..{rows - 1} are outside {ShapeOf.Format(x.Shape)}");
        var y = Tensor.Empty(rows, count, outF);
        int m = rows * count;
        float[]? gathered = null;
        ReadOnlySpan<float> a = x.Data;
        if (count < t)
        {
            // Each row's steps first..first+count are contiguous in x; the rows are T·In apart.
            gathered = BufferPool.Shared.Rent(m * inF);
            for (int r = 0; r < rows; r++) x.Data.Slice((r * t + first) * inF, count * inF).CopyTo(gathered.AsSpan(r * count * inF, count * inF));
            a = gathered;
        }
        if (weight.Quantized is { } q && q.Runs(m)) q.Multiply(a[..(m * inF)], bias is null ? default : bias.Data, y.Data, m);
        else if (bias is not null) Gemm.MultiplyAddRowBias(a, weight.Data, bias.Data, y.Data, m, outF, inF, transB: true);
        else Gemm.Multiply(a, weight.Data, y.Data, m, outF, inF, transB: true);
        if (gathered is not null) BufferPool.Shared.Return(gathered);

        var sink = new StepGradientSink(x, weight, bias, first);
        var parents = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        y.Attach(() =>
        {
            // A consumer read the gradient whole (not a step op): pass it on step by step as the step ops do.
            var dy = y.Grad;
            var step = BufferPool.Shared.Rent(rows * outF);
            for (int j = 0; j < count; j++)
            {
                for (int r = 0; r < rows; r++) dy.Slice((r * count + j) * outF, outF).CopyTo(step.AsSpan(r * outF, outF));
                sink.Absorb(j, step, rows);
            }
            BufferPool.Shared.Return(step);
        }, parents);
        if (y.RequiresGrad) y.StepSink = sink;
        return y;
    }
}

/// <summary>Turns the gradient of one step of a <see cref="Ops.ProjectSteps"/> output into its inputs' gradients.</summary>
internal sealed class StepGradientSink(Tensor x, Tensor weight, Tensor? bias, int first)
{
    /// <summary>
    /// d [n, Out], the gradient of rows 0..n−1 at step <paramref name="step"/> of the projection (step first + step
    /// of x): dW += dᵀ·x_step, db += Σ rows of d, x.grad[:n, first + step, :] += d·W.
    /// </summary>
    public void Absorb(int step, ReadOnlySpan<float> d, int n)
    {
        if (n == 0) return;
        int t = x.Shape[1], inF = x.Shape[2], outF = weight.Shape[0], stride = t * inF, at = (first + step) * inF;
        if ((uint)(first + step) >= (uint)t || n > x.Shape[0] || d.Length < n * outF)
            throw new ArgumentException($"step gradient [{n}, {outF}] at step {first + step} does not fit the sequence {ShapeOf.Format(x.Shape)}");
        if (weight.RequiresGrad)
        {
            // The step's rows of x are T·In apart: gathered once so the product reads them contiguously.
            var rows = BufferPool.Shared.Rent(n * inF);
            var xs = x.Data;
            for (int r = 0; r < n; r++) xs.Slice(r * stride + at, inF).CopyTo(rows.AsSpan(r * inF, inF));
            Gemm.Multiply(d, rows, weight.Grad, outF, inF, n, transA: true, accumulate: true);
            BufferPool.Shared.Return(rows);
        }
        if (bias is not null && bias.RequiresGrad)
        {
            var db = bias.Grad;
            for (int r = 0; r < n; r++) TensorPrimitives.Add(db, d.Slice(r * outF, outF), db);
        }
        if (x.RequiresGrad)
        {
            var dx = BufferPool.Shared.Rent(n * inF);
            Gemm.Multiply(d, weight.Data, dx, n, inF, outF);
            var g = x.Grad;
            for (int r = 0; r < n; r++)
            {
                var row = g.Slice(r * stride + at, inF);
                TensorPrimitives.Add(row, dx.AsSpan(r * inF, inF), row);
            }
            BufferPool.Shared.Return(dx);
        }
    }
}

/// <summary>
/// Walks a sequence's input projection a chunk of steps at a time (<see cref="Ops.ProjectSteps"/>), forwards
/// or backwards: <see cref="At"/> gives the chunk holding a step, projecting the next chunk (and returning the
/// values of the one before, which its steps have read) when the step leaves the current one.
/// </summary>
internal sealed class StepProjection
{
    /// <summary>Steps per chunk: [64 · 8, In] rows keep the product efficient, [B, 8, G·H] keeps the buffer small.</summary>
    public const int DefaultChunk = 8;

    private readonly Tensor _x, _weight;
    private readonly Tensor? _bias;
    private readonly Func<int, int> _rowsAt;
    private readonly bool _reverse;
    private readonly int _chunk;
    private Tensor? _current;
    private int _first, _count;

    /// <param name="x">the input [B, T, In]</param>
    /// <param name="weight">the projection [Out, In]</param>
    /// <param name="bias">the bias [Out], or null</param>
    /// <param name="rowsAt">how many leading rows run at a step (the batch for unpadded input)</param>
    /// <param name="reverse">steps are asked for from the last to the first</param>
    /// <param name="chunk">how many steps one GEMM projects at a time (at least 1)</param>
    public StepProjection(Tensor x, Tensor weight, Tensor? bias, Func<int, int> rowsAt, bool reverse, int chunk = DefaultChunk)
    {
        if (x.Rank != 3) throw new ArgumentException($"StepProjection: input {ShapeOf.Format(x.Shape)} is not a sequence [B, T, In]");
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        (_x, _weight, _bias, _rowsAt, _reverse, _chunk) = (x, weight, bias, rowsAt, reverse, chunk);
    }

    /// <summary>The chunk [rows, count, Out] that holds step <paramref name="step"/> of x, and the step's index in it.</summary>
    public (Tensor Chunk, int Step) At(int step)
    {
        if (_current is null || step < _first || step >= _first + _count)
        {
            _current?.FreeValues();
            int t = _x.Shape[1];
            if ((uint)step >= (uint)t) throw new ArgumentOutOfRangeException(nameof(step), step, $"StepProjection: step outside 0..{t - 1}");
            _first = _reverse ? Math.Max(0, step - _chunk + 1) : step;
            _count = _reverse ? step - _first + 1 : Math.Min(_chunk, t - step);
            int rows = 0;
            for (int s = _first; s < _first + _count; s++) rows = Math.Max(rows, _rowsAt(s));
            _current = Ops.ProjectSteps(_x, _weight, _bias, _first, _count, Math.Max(1, rows));
        }
        return (_current, step - _first);
    }

    /// <summary>Returns the last chunk's values (its steps have read them; its gradient still flows).</summary>
    public void Finish() => _current?.FreeValues();
}
