using Attend.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests;

/// <summary>The vectorised first-index-at-least search against its scalar loop.</summary>
public class FirstAtLeastTests
{
    [Fact]
    public void Equals_the_scalar_loop_at_every_length_and_position()
    {
        var rng = new Rng(9);
        for (int n = 0; n <= 80; n++)
            for (int trial = 0; trial < 20; trial++)
            {
                var x = new float[n];
                for (int i = 0; i < n; i++) x[i] = rng.NextInt(10) == 0 ? float.NaN : (float)(rng.NextDouble() * 10);
                float t = trial == 0 ? float.PositiveInfinity : trial == 1 ? float.NegativeInfinity : trial == 2 ? float.NaN : (float)(rng.NextDouble() * 11);
                Assert.Equal(FirstAtLeast.Reference(x, t), FirstAtLeast.Of(x, t));
            }
        var row = new float[100];
        row[70] = 1f;
        row[90] = 2f;
        Assert.Equal(70, FirstAtLeast.Of(row, 1f));
        Assert.Equal(90, FirstAtLeast.Of(row, 1.5f));
        Assert.Equal(100, FirstAtLeast.Of(row, 3f));
    }
}
