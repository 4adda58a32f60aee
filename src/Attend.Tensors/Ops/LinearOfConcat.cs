using System.Numerics.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>A linear layer over the concatenation of its inputs, without the concatenation.</summary>
public static partial class Ops
{
    /// <summary>
    /// <c>Linear(Concat(xs, -1), weight, bias)</c>: xs[j] [.., In_j] (the same leading shape), weight [Out, Σ In_j],
    /// bias [Out] or null → [.., Out], as a sum of products with the weight's column blocks, so the [.., Σ In_j]
    /// concatenation is never made (Luong's W_c [c; h] over a whole target: 8 MB of a big batch that the backward
    /// held). The blocks (a copy of the weight's columns each) live only during each pass.
    /// </summary>
    public static Tensor LinearOfConcat(IReadOnlyList<Tensor> xs, Tensor weight, Tensor? bias = null)
    {
        if (xs.Count == 0) throw new ArgumentException("LinearOfConcat: needs at least one input");
        var first = xs[0];
        int outF = weight.Rank == 2 ? weight.Shape[0] : -1, inF = 0;
        for (int j = 0; j < xs.Count; j++)
        {
            var x = xs[j];
            if (x.Rank != first.Rank || x.Rank < 1 || !x.Shape.AsSpan(0, x.Rank - 1).SequenceEqual(first.Shape.AsSpan(0, first.Rank - 1)))
                throw new ArgumentException($"LinearOfConcat: input {j} {ShapeOf.Format(x.Shape)} does not match input 0 {ShapeOf.Format(first.Shape)} outside the last dimension");
            inF += x.Shape[^1];
        }
        if (weight.Rank != 2 || weight.Shape[1] != inF)
            throw new ArgumentException($"LinearOfConcat: inputs of {inF} features in all do not match weight {ShapeOf.Format(weight.Shape)} (weight is [out, in])");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outF))
            throw new ArgumentException($"LinearOfConcat: bias {ShapeOf.Format(bias.Shape)} does not match weight {ShapeOf.Format(weight.Shape)}");
        int rows = ShapeOf.Count(first.Shape.AsSpan(0, first.Rank - 1));
        var shape = (int[])first.Shape.Clone();
        shape[^1] = outF;
        var y = Tensor.Empty(shape);
        var parts = xs.ToArray();
        int maxIn = parts.Max(x => x.Shape[^1]);
        float[] block = BufferPool.Shared.Rent(Math.Max(1, outF * maxIn));
        for (int j = 0, at = 0; j < parts.Length; at += parts[j].Shape[^1], j++)
        {
            int w = parts[j].Shape[^1];
            var wj = WeightColumns(weight.Data, outF, inF, at, w, block);
            if (j == 0 && bias is not null) Gemm.MultiplyAddRowBias(parts[j].Data, wj, bias.Data, y.Data, rows, outF, w, transB: true);
            else Gemm.Multiply(parts[j].Data, wj, y.Data, rows, outF, w, transB: true, accumulate: j > 0);
        }
        BufferPool.Shared.Return(block);
        var parents = bias is null ? parts.Append(weight).ToArray() : [.. parts, weight, bias];
        return y.Attach(() =>
        {
            var dy = y.Grad;
            float[] scratch = BufferPool.Shared.Rent(Math.Max(1, outF * maxIn));
            for (int j = 0, at = 0; j < parts.Length; at += parts[j].Shape[^1], j++)
            {
                var x = parts[j];
                int w = x.Shape[^1];
                if (x.RequiresGrad)
                {
                    var wj = WeightColumns(weight.Data, outF, inF, at, w, scratch);
                    var dx = x.GradForOverwrite(out bool fresh);
                    Gemm.Multiply(dy, wj, dx, rows, w, outF, accumulate: !fresh);
                }
                if (weight.RequiresGrad)
                {
                    // dW[:, block] += dyᵀ·x_j, formed whole, then added into the block's columns.
                    var dwj = scratch.AsSpan(0, outF * w);
                    Gemm.Multiply(dy, x.Data, dwj, outF, w, rows, transA: true);
                    var g = weight.Grad;
                    for (int o = 0; o < outF; o++)
                    {
                        var row = g.Slice(o * inF + at, w);
                        TensorPrimitives.Add(row, dwj.Slice(o * w, w), row);
                    }
                }
            }
            BufferPool.Shared.Return(scratch);
            if (bias is not null && bias.RequiresGrad)
            {
                var db = bias.Grad;
                for (int r = 0; r < rows; r++) TensorPrimitives.Add(db, dy.Slice(r * outF, outF), db);
            }
        }, parents);
    }

    /// <summary>Columns at .. at+width−1 of weight [outF, inF], copied into <paramref name="dst"/> as [outF, width].</summary>
    private static ReadOnlySpan<float> WeightColumns(ReadOnlySpan<float> weight, int outF, int inF, int at, int width, float[] dst)
    {
        for (int o = 0; o < outF; o++) weight.Slice(o * inF + at, width).CopyTo(dst.AsSpan(o * width, width));
        return dst.AsSpan(0, outF * width);
    }
}
