using Attend.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Training;

/// <summary>Global-norm gradient clipping, as torch.nn.utils.clip_grad_norm_.</summary>
internal static class GradClip
{
    /// <summary>
    /// Computes the L2 norm of all gradients together and, when it exceeds <paramref name="maxNorm"/>,
    /// scales every gradient by maxNorm / (norm + 1e-6). Returns the norm before clipping.
    /// </summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        var ps = parameters.Where(p => p.HasGrad).ToList();
        var chunks = ParameterChunks.Of(ps);
        long total = ps.Sum(p => (long)p.Length);
        // Squares summed in double per fixed slice (SumOfSquares: the same bits on any CPU), then over slices in order: the
        // same bits on any thread count.
        var partial = new double[chunks.Count];
        ParameterChunks.For(chunks, total, c =>
        {
            var (i, offset, length) = chunks[c];
            // Lanes by position within the slice, so a gradient kept as rows (its missing rows are zeros, which add
            // nothing) gives the bits of the dense one.
            var lanes = new double[SumOfSquares.Lanes];
            if (ps[i].RowGrad is { } rows)
                ParameterChunks.ForRows(rows, offset, length, (pos, g, _) => SumOfSquares.Accumulate(g, pos - offset, lanes));
            else
                SumOfSquares.Accumulate(ps[i].Grad.Slice(offset, length), 0, lanes);
            partial[c] = SumOfSquares.Total(lanes);
        });
        double squares = 0;
        foreach (var x in partial) squares += x;
        double norm = Math.Sqrt(squares);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1)
        {
            float f = (float)coef;
            ParameterChunks.For(chunks, total, c =>
            {
                var (i, offset, length) = chunks[c];
                if (ps[i].RowGrad is { } rows)
                    ParameterChunks.ForRows(rows, offset, length, (_, g, _) => System.Numerics.Tensors.TensorPrimitives.Multiply(g, f, g));
                else System.Numerics.Tensors.TensorPrimitives.Multiply(ps[i].Grad.Slice(offset, length), f, ps[i].Grad.Slice(offset, length));
            });
        }
        return norm;
    }
}
