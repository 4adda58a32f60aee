namespace Attend.Tensors.Tests.Cells;

/// <summary>
/// The composed cell math as plain float64 scalar loops (PyTorch's formulas, gate blocks r, z, n and
/// i, f, g, o), with gradients by central finite differences, so the fused ops' hand-written
/// backward is checked against nothing but the forward definition.
/// </summary>
internal static class CellReference
{
    private static double Sigmoid(double v) => 1.0 / (1.0 + Math.Exp(-v));

    /// <summary>gh = h·Wᵀ + b: h [B, H], w [G, H], b [G] or null → [B, G].</summary>
    public static double[] Project(double[] h, double[] w, double[]? b, int batch, int hidden, int width)
    {
        var gh = new double[batch * width];
        for (int i = 0; i < batch; i++)
            for (int o = 0; o < width; o++)
            {
                double s = b is null ? 0 : b[o];
                for (int k = 0; k < hidden; k++) s += h[i * hidden + k] * w[o * hidden + k];
                gh[i * width + o] = s;
            }
        return gh;
    }

    /// <summary>One GRU step: gx [B, 3H], h [B, H], w [3H, H], b [3H] → h' [B, H].</summary>
    public static double[] Gru(double[] gx, double[] h, double[] w, double[]? b, int batch, int hidden)
    {
        int h3 = 3 * hidden;
        var gh = Project(h, w, b, batch, hidden, h3);
        var y = new double[batch * hidden];
        for (int i = 0; i < batch; i++)
            for (int j = 0; j < hidden; j++)
            {
                int g = i * h3 + j;
                double r = Sigmoid(gx[g] + gh[g]);
                double z = Sigmoid(gx[g + hidden] + gh[g + hidden]);
                double n = Math.Tanh(gx[g + 2 * hidden] + r * gh[g + 2 * hidden]);
                y[i * hidden + j] = (1 - z) * n + z * h[i * hidden + j];
            }
        return y;
    }

    /// <summary>One LSTM step: gx [B, 4H], h, c [B, H], w [4H, H], b [4H] → (h', c').</summary>
    public static (double[] H, double[] C) Lstm(double[] gx, double[] h, double[] c, double[] w, double[]? b, int batch, int hidden)
    {
        int h4 = 4 * hidden;
        var gh = Project(h, w, b, batch, hidden, h4);
        var hn = new double[batch * hidden];
        var cn = new double[batch * hidden];
        for (int i = 0; i < batch; i++)
            for (int j = 0; j < hidden; j++)
            {
                int g = i * h4 + j;
                double ig = Sigmoid(gx[g] + gh[g]);
                double fg = Sigmoid(gx[g + hidden] + gh[g + hidden]);
                double gg = Math.Tanh(gx[g + 2 * hidden] + gh[g + 2 * hidden]);
                double og = Sigmoid(gx[g + 3 * hidden] + gh[g + 3 * hidden]);
                int s = i * hidden + j;
                cn[s] = fg * c[s] + ig * gg;
                hn[s] = og * Math.Tanh(cn[s]);
            }
        return (hn, cn);
    }

    /// <summary>Σ y ⊙ g in double.</summary>
    public static double Dot(double[] y, float[] g)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += y[i] * g[i];
        return s;
    }

    /// <summary>
    /// dL/d(each input) by central differences in double: <paramref name="loss"/> reads the inputs,
    /// which are perturbed in place one element at a time and restored.
    /// </summary>
    public static double[][] Gradients(Func<double> loss, params double[][] inputs)
    {
        const double eps = 1e-6;
        var grads = new double[inputs.Length][];
        for (int p = 0; p < inputs.Length; p++)
        {
            var x = inputs[p];
            grads[p] = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                double keep = x[i];
                x[i] = keep + eps;
                double up = loss();
                x[i] = keep - eps;
                double down = loss();
                x[i] = keep;
                grads[p][i] = (up - down) / (2 * eps);
            }
        }
        return grads;
    }

    public static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);
}
