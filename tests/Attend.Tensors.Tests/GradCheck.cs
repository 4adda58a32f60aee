using Attend.Tensors;

namespace Attend.Tensors.Tests;

/// <summary>
/// Finite-difference gradient checker. The op's output y is reduced to L = Σ y·G with a random G, so
/// one backward pass gives ∂L/∂x for every input and every output element takes part. Each input
/// element is then moved by ±eps and L re-evaluated (accumulated in double) under GradMode.Off; the
/// central difference divides by the step actually taken after float rounding. With eps = 1e-2 the
/// truncation error is ~1e-5·f‴ and the float32 noise in L ~1e-5, well inside the tolerances.
/// </summary>
internal static class GradCheck
{
    public static void Check(Func<Tensor[], Tensor> f, params Tensor[] inputs) => Check(f, inputs, new Options());

    public sealed record Options(double Eps = 1e-2, double RelTol = 1e-2, double AbsTol = 2e-3, ulong Seed = 12345);

    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, Options o)
    {
        foreach (var x in inputs)
        {
            if (!x.RequiresGrad) throw new ArgumentException($"GradCheck: input {x} must require grad");
            x.ZeroGrad();
        }
        var y = f(inputs);
        var rng = new Rng(o.Seed);
        var g = new float[y.Length];
        rng.FillNormal(g, 0f, 1f);
        y.Backward(Tensor.FromArray(g, y.Shape));
        var analytic = inputs.Select(x => x.HasGrad ? x.Grad.ToArray() : new float[x.Length]).ToArray();

        using var off = GradMode.Off();
        var failures = new List<string>();
        double worst = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            var data = inputs[k].Data;
            for (int j = 0; j < data.Length; j++)
            {
                float orig = data[j];
                float up = (float)(orig + o.Eps), down = (float)(orig - o.Eps);
                data[j] = up;
                double lp = Loss(f(inputs), g);
                data[j] = down;
                double lm = Loss(f(inputs), g);
                data[j] = orig;
                double numeric = (lp - lm) / ((double)up - down);
                double a = analytic[k][j];
                double err = Math.Abs(numeric - a), allowed = o.AbsTol + o.RelTol * Math.Max(Math.Abs(numeric), Math.Abs(a));
                worst = Math.Max(worst, err / allowed);
                if (err > allowed && failures.Count < 10)
                    failures.Add($"input {k} {ShapeOf.Format(inputs[k].Shape)} element {j}: analytic {a:G6}, numeric {numeric:G6}");
            }
        }
        Assert.True(failures.Count == 0, $"gradient check failed (worst error {worst:F2}× the tolerance):\n" + string.Join("\n", failures));
    }

    private static double Loss(Tensor y, float[] g)
    {
        double s = 0;
        var d = y.Data;
        for (int i = 0; i < d.Length; i++) s += (double)d[i] * g[i];
        return s;
    }

    /// <summary>A parameter of the given shape with standard-normal values.</summary>
    public static Tensor Randn(Rng rng, params int[] shape)
    {
        var t = Tensor.Parameter("x", shape);
        rng.FillNormal(t.Data, 0f, 1f);
        return t;
    }

    /// <summary>A parameter with uniform values in [lo, hi).</summary>
    public static Tensor Uniform(Rng rng, float lo, float hi, params int[] shape)
    {
        var t = Tensor.Parameter("x", shape);
        rng.FillUniform(t.Data, lo, hi);
        return t;
    }
}
