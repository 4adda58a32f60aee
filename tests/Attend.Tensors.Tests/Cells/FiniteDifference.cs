namespace Attend.Tensors.Tests.Cells;

/// <summary>Central differences on the float32 op itself, against the gradients its backward left in the inputs.</summary>
internal static class FiniteDifference
{
    /// <summary>
    /// For every element of every input: (L(x+ε) − L(x−ε)) / (x₊ − x₋), where x₊, x₋ are the float
    /// values actually stored, compared with the analytic gradient already in the input's Grad.
    /// ε = 1e-2 keeps float32 noise in L (≈1e-7 relative) well below the check's tolerance.
    /// </summary>
    public static void Check(Func<double> loss, params (string Name, Tensor Input)[] inputs)
    {
        const float eps = 1e-2f;
        foreach (var (name, x) in inputs)
        {
            var analytic = x.Grad.ToArray();
            for (int i = 0; i < x.Length; i++)
            {
                float keep = x.Data[i];
                float up = keep + eps, down = keep - eps;
                x.Data[i] = up;
                double lu = loss();
                x.Data[i] = down;
                double ld = loss();
                x.Data[i] = keep;
                double numeric = (lu - ld) / ((double)up - down);
                double limit = 1e-3 + 1e-2 * Math.Abs(numeric);
                Assert.True(Math.Abs(numeric - analytic[i]) <= limit,
                    $"d{name}[{i}]: backward gives {analytic[i]:G6}, central difference {numeric:G6} (limit {limit:G3})");
            }
        }
    }
}
