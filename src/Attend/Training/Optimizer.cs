using Attend.Tensors;

namespace Attend.Training;

/// <summary>
/// What the trainer needs from an optimizer: a step from the current gradients at a settable rate, and its
/// state as named float buffers (so checkpoints hold it and <c>--resume</c> continues exactly).
/// </summary>
internal interface IOptimizer
{
    double LearningRate { get; set; }
    long StepCount { get; set; }
    void Step();
    /// <summary>Every state buffer, named, in a fixed order; loading writes into the same arrays.</summary>
    IEnumerable<(string Name, float[] Buffer)> State();
}

/// <summary><see cref="Adam"/> (PyTorch-exact) behind <see cref="IOptimizer"/>.</summary>
internal sealed class AdamOptimizer(IReadOnlyList<(string Name, Tensor Param)> parameters, AdamOptions options) : IOptimizer
{
    private readonly Adam _adam = new(parameters.Select(p => p.Param).ToList(), options);

    public double LearningRate
    {
        get => _adam.Options.LearningRate;
        set => _adam.Options = _adam.Options with { LearningRate = (float)value };
    }

    public long StepCount
    {
        get => _adam.StepCount;
        set => _adam.SetStepCount(value);
    }

    public void Step() => _adam.Step();

    public IEnumerable<(string Name, float[] Buffer)> State()
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            var (m, v) = _adam.Moments(i);
            yield return ("exp_avg." + parameters[i].Name, m);
            yield return ("exp_avg_sq." + parameters[i].Name, v);
        }
    }
}

/// <summary>SGD with optional momentum in PyTorch's form: b ← μ b + g (b = g at the first step), p ← p − lr b.</summary>
internal sealed class Sgd(IReadOnlyList<(string Name, Tensor Param)> parameters, double lr, double momentum) : IOptimizer
{
    private readonly float[][] _buf = parameters.Select(p => new float[momentum > 0 ? p.Param.Length : 0]).ToArray();

    public double LearningRate { get; set; } = lr;
    public long StepCount { get; set; }

    public void Step()
    {
        float lrF = (float)LearningRate, mu = (float)momentum;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i].Param;
            if (!p.HasGrad) continue;
            var g = p.Grad;
            var w = p.Data;
            if (momentum > 0)
            {
                var b = _buf[i];
                for (int j = 0; j < w.Length; j++)
                {
                    b[j] = StepCount == 0 ? g[j] : mu * b[j] + g[j];
                    w[j] -= lrF * b[j];
                }
            }
            else
                for (int j = 0; j < w.Length; j++) w[j] -= lrF * g[j];
        }
        StepCount++;
    }

    public IEnumerable<(string Name, float[] Buffer)> State()
    {
        if (momentum <= 0) yield break;
        for (int i = 0; i < parameters.Count; i++) yield return ("momentum_buffer." + parameters[i].Name, _buf[i]);
    }
}
