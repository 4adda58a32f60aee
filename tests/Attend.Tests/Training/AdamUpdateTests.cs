using Attend.Training;

namespace Attend.Tests.Training;

public class AdamUpdateTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(1000)]
    [InlineData(4099)]
    public void Vectorised_update_is_bit_identical_to_the_scalar_expression(int n)
    {
        var rng = new Random(n);
        float[] R(float scale) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
        float[] w = R(1), g = R(0.1f), m = R(0.01f), v = R(0.001f).Select(Math.Abs).ToArray();
        float[] w2 = (float[])w.Clone(), m2 = (float[])m.Clone(), v2 = (float[])v.Clone();
        for (int step = 0; step < 3; step++)
        {
            Adam.Update(w, g, m, v, 0.9f, 0.999f, 1e-8f, 1e-3f / 0.271f, 0.0547f);
            Adam.UpdateScalar(w2, g, m2, v2, 0.9f, 0.999f, 1e-8f, 1e-3f / 0.271f, 0.0547f);
        }
        Assert.Equal(w2, w);
        Assert.Equal(m2, m);
        Assert.Equal(v2, v);
    }
}
