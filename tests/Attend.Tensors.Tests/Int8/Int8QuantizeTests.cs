using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests.Int8;

/// <summary>Per-row quantization of weights and activations: the integers, the scales, the packing.</summary>
public class Int8QuantizeTests
{
    // Every k from 1 to 100 runs the vector body (32 at a time) and each scalar tail; both activation ranges.
    [Theory]
    [InlineData(127)]
    [InlineData(63)]
    public unsafe void Activations_are_round_x_over_scale_plus_the_zero_point(int levels)
    {
        var rng = new Random(levels);
        for (int k = 1; k <= 100; k++)
        {
            const int m = 3;
            var x = Int8TestKit.Random(rng, m * k, 2f);
            Array.Clear(x, 2 * k, k); // a row of zeros: scale 0, every byte the zero point
            int kp = (k + 3) & ~3;
            var u = new byte[m * kp];
            var scales = new float[m];
            fixed (float* px = x, ps = scales)
            fixed (byte* pu = u)
                Int8Quantize.Activations(px, m, k, kp, levels, pu, ps);
            for (int i = 0; i < m; i++)
            {
                float max = 0;
                for (int p = 0; p < k; p++) max = Math.Max(max, Math.Abs(x[i * k + p]));
                Assert.Equal(max / levels, scales[i]);
                for (int p = 0; p < kp; p++)
                {
                    int q = p < k && max > 0 ? (int)MathF.Round(x[i * k + p] * (levels / max)) : 0;
                    Assert.True(q + levels + 1 == u[i * kp + p], $"k={k} row {i} col {p}: byte {u[i * kp + p]}, expected {q + levels + 1}");
                }
            }
        }
    }

    [Fact]
    public void Weights_quantize_per_row_and_unpack_to_the_same_integers()
    {
        var rng = new Random(2);
        foreach (var (n, k) in new[] { (1, 1), (17, 7), (33, 130), (5, 257) })
        {
            var w = Int8TestKit.Random(rng, n * k, 3f);
            for (int p = 0; p < k; p++) w[p] *= 100; // one row with a far larger range than the others
            var packed = Int8Weights.Quantize(w, n, k);
            var q = new sbyte[n * k];
            var s = new float[n];
            packed.CopyTo(q, s);
            for (int r = 0; r < n; r++)
            {
                float max = 0;
                int sum = 0;
                for (int p = 0; p < k; p++) max = Math.Max(max, Math.Abs(w[r * k + p]));
                Assert.Equal(max / 127, s[r]);
                for (int p = 0; p < k; p++)
                {
                    Assert.Equal((sbyte)MathF.Round(w[r * k + p] * (127 / max)), q[r * k + p]);
                    Assert.True(Math.Abs(w[r * k + p] - s[r] * q[r * k + p]) <= s[r] / 2 * 1.0001f);
                    sum += q[r * k + p];
                }
                Assert.Equal(sum, packed.Sums[r]);
            }
            var again = Int8Weights.FromQuantized(q, s, n, k);
            Assert.Equal(packed.Dequantize(), again.Dequantize());
        }
    }

    [Fact]
    public void Packed_weights_take_a_quarter_of_the_fp32_bytes()
    {
        var packed = Int8Weights.Quantize(new float[8000 * 512], 8000, 512);
        Assert.Equal(8000L * 512, packed.PackedBytes);
    }

    [Fact]
    public void A_weight_row_that_is_not_finite_is_refused_with_the_row()
    {
        var w = new float[] { 1, 2, 3, float.NaN, 5, 6 };
        var e = Assert.Throws<ArgumentException>(() => Int8Weights.Quantize(w, 3, 2));
        Assert.Contains("row 1", e.Message);
    }

    [Fact]
    public void Integers_out_of_range_are_refused_with_the_row()
    {
        var q = new sbyte[] { 1, 2, 3, -128 };
        var e = Assert.Throws<ArgumentException>(() => Int8Weights.FromQuantized(q, new float[] { 1, 1 }, 2, 2));
        Assert.Contains("row 1", e.Message);
    }
}
