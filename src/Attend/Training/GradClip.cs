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
            double sum = 0;
            if (ps[i].RowGrad is { } rows)
            {
                // The rows a gradient kept as rows lacks are zeros, which add nothing: the same sum, in the same order.
                ParameterChunks.ForRows(rows, offset, length, (_, g, _) => sum += SumOfSquares.Of(g));
            }
            else
                sum = SumOfSquares.Of(ps[i].Grad.Slice(offset, length));
            partial[c] = sum;
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
