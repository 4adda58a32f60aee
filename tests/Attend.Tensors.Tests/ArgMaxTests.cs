using System.Runtime.Intrinsics;
using Attend.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests;

/// <summary>
/// The vectorised argmax against the scalar loop it replaces, on rows built to hit every case: ties
/// (first index wins), −0 against +0, NaN in the first vector and later, all −∞, the maximum in the
/// scalar tail, and every length 1..200 plus the vocabulary sizes greedy decoding uses.
/// </summary>
public class ArgMaxTests
{
    private static IEnumerable<float[]> Rows()
    {
        var rng = new Rng(5);
        int[] lengths = [.. Enumerable.Range(1, 200), 4000, 8000, 8003];
        foreach (int n in lengths)
            for (int kind = 0; kind < 7; kind++)
            {
                var x = new float[n];
                // Few distinct values make ties everywhere.
                for (int i = 0; i < n; i++) x[i] = kind == 0 ? rng.NextInt(4) : (float)Math.Round(rng.NextDouble() * 20 - 10, 1);
                switch (kind)
                {
                    case 2: x[rng.NextInt(n)] = float.NaN; break;
                    case 3: x[0] = float.NaN; break;
                    case 4: Array.Fill(x, float.NegativeInfinity); break;
                    case 5: // signed zeros as the maximum, in either order
                        for (int i = 0; i < n; i++) x[i] = -1f;
                        x[rng.NextInt(n)] = -0f; x[rng.NextInt(n)] = 0f; break;
                    case 6: x[n - 1] = 100f; break; // the last element, in the tail past the vectors
                }
                yield return x;
            }
    }

    [Fact]
    public void Every_body_equals_the_scalar_loop()
    {
        int rows = 0;
        foreach (var x in Rows())
        {
            int expected = ArgMax.Reference(x);
            Assert.Equal(expected, ArgMax.Of(x));
            if (Vector512.IsHardwareAccelerated) Assert.Equal(expected, ArgMax.Of512(x));
            if (Vector256.IsHardwareAccelerated) Assert.Equal(expected, ArgMax.Of256(x));
            rows++;
        }
        Assert.True(rows > 1000);
    }

    [Fact]
    public void Ties_go_to_the_first_index_and_nan_is_never_largest()
    {
        var x = new float[100];
        x[37] = 5f; x[38] = 5f; x[90] = 5f;
        Assert.Equal(37, ArgMax.Of(x));
        x[20] = float.NaN;
        Assert.Equal(37, ArgMax.Of(x));
        x[37] = -0f; x[38] = 0f; x[90] = 0f; // every value 0 or -0 now: the first one
        Assert.Equal(0, ArgMax.Of(x));
    }

    [Fact]
    public void Rows_of_a_tensor_and_their_errors()
    {
        var t = Tensor.FromArray([1f, 3f, 2f, 9f, 9f, 0f], 2, 3);
        var dst = new int[2];
        Ops.ArgMaxRows(t, dst);
        Assert.Equal([1, 0], dst);
        var e = Assert.Throws<ArgumentException>(() => Ops.ArgMaxRows(t, new int[3]));
        Assert.Contains("3 destinations for 2 rows", e.Message);
        Assert.Throws<ArgumentException>(() => ArgMax.Reference([]));
    }
}
