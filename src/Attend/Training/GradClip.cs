using Attend.Tensors;

namespace Attend.Training;

/// <summary>Global-norm gradient clipping, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradClip
{
    /// <summary>
    /// Computes the L2 norm of all gradients together and, when it exceeds <paramref name="maxNorm"/>,
    /// scales every gradient by maxNorm / (norm + 1e-6). Returns the norm before clipping.
    /// </summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        var ps = parameters.Where(p => p.HasGrad).ToList();
        double sum = 0;
        foreach (var p in ps)
            foreach (var g in p.Grad) sum += (double)g * g;
        double norm = Math.Sqrt(sum);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1)
        {
            float c = (float)coef;
            foreach (var p in ps)
            {
                var g = p.Grad;
                for (int i = 0; i < g.Length; i++) g[i] *= c;
            }
        }
        return norm;
    }
}
