namespace Attend.Tensors.Tests.Cells;

/// <summary>Test helpers: random leaves, and a scalar loss Σ_k sum(y_k ⊙ G_k) with its backward.</summary>
internal static class CellTestKit
{
    /// <summary>Uniform values in [-scale, scale].</summary>
    public static float[] Uniform(Random rng, int n, double scale)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return a;
    }

    /// <summary>A leaf that requires grad, holding a copy of <paramref name="values"/>.</summary>
    public static Tensor Leaf(float[] values, params int[] shape)
    {
        var t = Tensor.FromArray(values, shape);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>
    /// L = Σ_k sum(y_k ⊙ g_k): backward seeds each y_k with g_k. A tensor may appear in several terms
    /// (its gradient then adds), which is how PyTorch's h_n = output[:, -1] is expressed.
    /// </summary>
    public static Tensor DotLoss(params (Tensor Y, float[] G)[] terms)
    {
        double s = 0;
        foreach (var (y, g) in terms)
        {
            Assert.Equal(y.Length, g.Length);
            var d = y.Data;
            for (int i = 0; i < g.Length; i++) s += (double)d[i] * g[i];
        }
        var loss = Tensor.Scalar((float)s);
        return loss.Attach(() =>
        {
            float dl = loss.Grad[0];
            foreach (var (y, g) in terms)
            {
                if (!y.RequiresGrad) continue;
                var dy = y.Grad;
                for (int i = 0; i < g.Length; i++) dy[i] += dl * g[i];
            }
        }, terms.Select(t => t.Y).ToArray());
    }

    /// <summary>Rows [t] of a [B, T, F] array: the [B, F] slice at time t.</summary>
    public static float[] TimeSlice(float[] x, int batch, int steps, int features, int t)
    {
        var s = new float[batch * features];
        for (int b = 0; b < batch; b++)
            Array.Copy(x, (b * steps + t) * features, s, b * features, features);
        return s;
    }

    /// <summary>Writes a [B, F] slice into time t of a [B, T, F] array.</summary>
    public static void SetTimeSlice(float[] x, ReadOnlySpan<float> slice, int batch, int steps, int features, int t)
    {
        for (int b = 0; b < batch; b++)
            slice.Slice(b * features, features).CopyTo(x.AsSpan((b * steps + t) * features, features));
    }
}
