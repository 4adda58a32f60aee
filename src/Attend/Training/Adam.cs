using System.Runtime.Intrinsics;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>Adam's hyper-parameters (PyTorch's defaults; no weight decay).</summary>
internal sealed record AdamOptions(float LearningRate = 1e-3f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Eps = 1e-8f);

/// <summary>
/// Adam (Kingma &amp; Ba) in PyTorch's exact form: m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g²,
/// p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε). One m and v per parameter, in the order given.
/// </summary>
internal sealed class Adam
{
    private readonly IReadOnlyList<Tensor> _params;
    private readonly float[][] _m, _v;
    private readonly List<(int Param, int Offset, int Length)> _chunks;
    private readonly long _totalElements;

    public AdamOptions Options { get; set; }

    /// <summary>Number of steps taken (t of the bias corrections).</summary>
    public long StepCount { get; private set; }

    public Adam(IReadOnlyList<Tensor> parameters, AdamOptions? options = null)
    {
        _params = parameters;
        Options = options ?? new AdamOptions();
        _m = parameters.Select(p => new float[p.Length]).ToArray();
        _v = parameters.Select(p => new float[p.Length]).ToArray();
        _chunks = ParameterChunks.Of(parameters);
        _totalElements = parameters.Sum(p => (long)p.Length);
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
        // Element-wise, so cutting the arrays into slices (updated on several threads) changes no bit.
        var chunks = _chunks;
        // A gradient kept as rows (an embedding's) is zero in the rows it lacks: those take the update with g = 0,
        // from a zero row, exactly as from the dense gradient.
        int widest = _params.Max(p => p.RowGrad?.Width ?? 0);
        var zeros = new float[widest];
        ParameterChunks.For(chunks, _totalElements, c =>
        {
            var (i, offset, length) = chunks[c];
            var p = _params[i];
            if (!p.HasGrad) return;
            if (p.RowGrad is { } rows)
            {
                float[] m = _m[i], v = _v[i];
                ParameterChunks.ForRows(rows, offset, length, (pos, g, n) =>
                    Update(p.Data.Slice(pos, n), g.IsEmpty ? zeros.AsSpan(0, n) : g, m.AsSpan(pos, n), v.AsSpan(pos, n),
                        o.Beta1, o.Beta2, o.Eps, stepSize, bc2Sqrt));
                return;
            }
            Update(p.Data.Slice(offset, length), p.Grad.Slice(offset, length), _m[i].AsSpan(offset, length), _v[i].AsSpan(offset, length),
                o.Beta1, o.Beta2, o.Eps, stepSize, bc2Sqrt);
        });
    }

    /// <summary>
    /// The update of one parameter, 16 lanes at a time with exactly the scalar expression's operations
    /// in the same order (no fused multiply–add), so the result is bit-identical to <see cref="UpdateScalar"/>.
    /// </summary>
    internal static void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float beta1, float beta2, float eps, float stepSize, float bc2Sqrt)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated && w.Length >= Vector512<float>.Count)
        {
            var b1 = Vector512.Create(beta1);
            var c1 = Vector512.Create(1 - beta1);
            var b2 = Vector512.Create(beta2);
            var c2 = Vector512.Create(1 - beta2);
            var e = Vector512.Create(eps);
            var st = Vector512.Create(stepSize);
            var bc = Vector512.Create(bc2Sqrt);
            for (; j <= w.Length - Vector512<float>.Count; j += Vector512<float>.Count)
            {
                var gj = Vector512.Create(g.Slice(j, Vector512<float>.Count));
                var mj = b1 * Vector512.Create(m.Slice(j, Vector512<float>.Count)) + c1 * gj;
                var vj = b2 * Vector512.Create(v.Slice(j, Vector512<float>.Count)) + c2 * gj * gj;
                var wj = Vector512.Create(w.Slice(j, Vector512<float>.Count)) - st * mj / (Vector512.Sqrt(vj) / bc + e);
                mj.CopyTo(m.Slice(j));
                vj.CopyTo(v.Slice(j));
                wj.CopyTo(w.Slice(j));
            }
        }
        UpdateScalar(w[j..], g[j..], m[j..], v[j..], beta1, beta2, eps, stepSize, bc2Sqrt);
    }

    /// <summary>The reference form of the update (PyTorch's expression, element by element).</summary>
    internal static void UpdateScalar(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float beta1, float beta2, float eps, float stepSize, float bc2Sqrt)
    {
        for (int j = 0; j < w.Length; j++)
        {
            m[j] = beta1 * m[j] + (1 - beta1) * g[j];
            v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
            w[j] -= stepSize * m[j] / (MathF.Sqrt(v[j]) / bc2Sqrt + eps);
        }
    }

    /// <summary>
    /// Zeroes every parameter's gradient or, with <paramref name="setToNone"/>, forgets it (<see cref="Tensor.DropGrad"/>, PyTorch's zero_grad(set_to_none=True),
    /// as the PyTorch reference does): the next backward rents them zeroed from the pool, where they lent their memory to the
    /// forward's activations. A parameter the next backward does not reach then has no gradient and is skipped,
    /// as in PyTorch. With <paramref name="setToNone"/> false they are zeroed in place.
    /// </summary>
    public void ZeroGrad(bool setToNone = false)
    {
        foreach (var p in _params)
            if (setToNone) p.DropGrad();
            else p.ZeroGrad();
    }
}
