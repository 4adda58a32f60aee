using System.Numerics.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>
/// A decoder step's input projection from two shares: one projected for all steps at once (a [B, T, D]
/// sequence, read in place at one step) and one of this step (a context, or a fixed per-sentence vector).
/// Each replaces Select + Add (and the Linear before the Add) with one op and one [n, D] tensor.
/// </summary>
public static partial class Ops
{
    /// <summary>
    /// a[:n] + sequence[:n, step, :] → [n, D]: <paramref name="a"/> [≥ n, D] by its first n rows (the running
    /// sentences of a length-sorted batch), <paramref name="sequence"/> [≥ n, T, D] at <paramref name="step"/>.
    /// </summary>
    public static Tensor AddStep(Tensor a, Tensor sequence, int step, int n)
    {
        int d = CheckStep(nameof(AddStep), sequence, step, n);
        if (a.Rank != 2 || a.Shape[0] < n || a.Shape[1] != d)
            throw new ArgumentException($"{nameof(AddStep)}: {ShapeOf.Format(a.Shape)} is not [≥ {n}, {d}] as the sequence {ShapeOf.Format(sequence.Shape)}");
        int stride = sequence.Shape[1] * d, at = step * d;
        var y = Tensor.Empty(n, d);
        for (int r = 0; r < n; r++)
            TensorPrimitives.Add(a.Data.Slice(r * d, d), sequence.Data.Slice(r * stride + at, d), y.Data.Slice(r * d, d));
        return y.Attach(() =>
        {
            var dy = y.Grad;
            if (a.RequiresGrad)
            {
                var da = a.Grad;
                TensorPrimitives.Add(da[..(n * d)], dy, da[..(n * d)]);
            }
            if (sequence.RequiresGrad) AddIntoStep(sequence, step, dy, n);
        }, a, sequence);
    }

    /// <summary>
    /// x·Wᵀ + sequence[:n, step, :] → [n, Out]: x [n, In], <paramref name="weight"/> [Out, In] (as
    /// <see cref="Linear"/>), <paramref name="sequence"/> [≥ n, T, Out] at <paramref name="step"/>. The product
    /// adds onto the step's rows, copied into the output first.
    /// </summary>
    public static Tensor LinearAddStep(Tensor x, Tensor weight, Tensor sequence, int step)
    {
        if (x.Rank != 2 || weight.Rank != 2 || x.Shape[1] != weight.Shape[1])
            throw new ArgumentException($"{nameof(LinearAddStep)}: input {ShapeOf.Format(x.Shape)} does not match weight {ShapeOf.Format(weight.Shape)} (weight is [out, in])");
        int n = x.Shape[0], inF = weight.Shape[1], outF = weight.Shape[0];
        int d = CheckStep(nameof(LinearAddStep), sequence, step, n);
        if (d != outF)
            throw new ArgumentException($"{nameof(LinearAddStep)}: sequence {ShapeOf.Format(sequence.Shape)} does not end in the weight's {outF} outputs");
        int stride = sequence.Shape[1] * d, at = step * d;
        var y = Tensor.Empty(n, outF);
        for (int r = 0; r < n; r++) sequence.Data.Slice(r * stride + at, d).CopyTo(y.Data.Slice(r * d, d));
        Gemm.Multiply(x.Data, weight.Data, y.Data, n, outF, inF, transB: true, accumulate: true);
        return y.Attach(() =>
        {
            var dy = y.Grad;
            LinearGrads(dy, x, weight, n, inF, outF);
            if (sequence.RequiresGrad) AddIntoStep(sequence, step, dy, n);
        }, x, weight, sequence);
    }

    /// <summary>Checks sequence [≥ n, T, D] and 0 ≤ step &lt; T; returns D.</summary>
    private static int CheckStep(string op, Tensor sequence, int step, int n)
    {
        if (sequence.Rank != 3 || sequence.Shape[0] < n)
            throw new ArgumentException($"{op}: sequence {ShapeOf.Format(sequence.Shape)} is not [≥ {n}, T, D]");
        if ((uint)step >= (uint)sequence.Shape[1])
            throw new ArgumentOutOfRangeException(nameof(step), step, $"{op}: step {step} is outside 0..{sequence.Shape[1] - 1} of {ShapeOf.Format(sequence.Shape)}");
        return sequence.Shape[2];
    }

    /// <summary>sequence.grad[:n, step, :] += d [n, D] (or the sequence projection's sink takes it).</summary>
    private static void AddIntoStep(Tensor sequence, int step, ReadOnlySpan<float> d, int n)
    {
        if (sequence.StepSink is { } sink)
        {
            sink.Absorb(step, d, n);
            return;
        }
        int width = sequence.Shape[2], stride = sequence.Shape[1] * width, at = step * width;
        var g = sequence.Grad;
        for (int r = 0; r < n; r++)
        {
            var row = g.Slice(r * stride + at, width);
            TensorPrimitives.Add(row, d.Slice(r * width, width), row);
        }
    }
}
