using Attend.Tensors;

namespace Attend.Training;

/// <summary>Adam's hyper-parameters (PyTorch's defaults; no weight decay).</summary>
public sealed record AdamOptions(float LearningRate = 1e-3f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Eps = 1e-8f);

/// <summary>
/// Adam (Kingma &amp; Ba) in PyTorch's exact form: m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g²,
/// p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε). One m and v per parameter, in the order given.
/// </summary>
public sealed class Adam
{
    private readonly IReadOnlyList<Tensor> _params;
    private readonly float[][] _m, _v;

    public AdamOptions Options { get; set; }

    /// <summary>Number of steps taken (t of the bias corrections).</summary>
    public long StepCount { get; private set; }

    public Adam(IReadOnlyList<Tensor> parameters, AdamOptions? options = null)
    {
        _params = parameters;
        Options = options ?? new AdamOptions();
        _m = parameters.Select(p => new float[p.Length]).ToArray();
        _v = parameters.Select(p => new float[p.Length]).ToArray();
    }

    /// <summary>First and second moments of parameter <paramref name="i"/> (for checkpoints).</summary>
    public (float[] M, float[] V) Moments(int i) => (_m[i], _v[i]);

    /// <summary>Restores the step count (the moments are restored through <see cref="Moments"/>).</summary>
    public void SetStepCount(long t) => StepCount = t;

    /// <summary>Updates every parameter from its gradient (a parameter without a gradient is skipped).</summary>
    public void Step()
    {
        StepCount++;
        var o = Options;
        // The bias corrections are formed in double, as PyTorch does on the host, then rounded once.
        double bc1 = 1 - Math.Pow(o.Beta1, StepCount), bc2 = 1 - Math.Pow(o.Beta2, StepCount);
        float stepSize = (float)(o.LearningRate / bc1), bc2Sqrt = (float)Math.Sqrt(bc2);
        for (int i = 0; i < _params.Count; i++)
        {
            var p = _params[i];
            if (!p.HasGrad) continue;
            var g = p.Grad;
            var w = p.Data;
            var m = _m[i];
            var v = _v[i];
            for (int j = 0; j < w.Length; j++)
            {
                m[j] = o.Beta1 * m[j] + (1 - o.Beta1) * g[j];
                v[j] = o.Beta2 * v[j] + (1 - o.Beta2) * g[j] * g[j];
                w[j] -= stepSize * m[j] / (MathF.Sqrt(v[j]) / bc2Sqrt + o.Eps);
            }
        }
    }

    /// <summary>Zeroes every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _params) p.ZeroGrad();
    }
}
