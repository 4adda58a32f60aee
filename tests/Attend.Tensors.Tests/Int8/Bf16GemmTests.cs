using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests.Int8;

/// <summary>bf16 weights: rounding to nearest even, and each kernel against a double-precision product on the widened weights.</summary>
public class Bf16GemmTests
{
    [Theory]
    [InlineData(0x3F800000u, (ushort)0x3F80)] // 1 exactly
    [InlineData(0x3F808000u, (ushort)0x3F80)] // a tie rounds to the even 0x3F80
    [InlineData(0x3F818000u, (ushort)0x3F82)] // a tie rounds to the even 0x3F82
    [InlineData(0x3F808001u, (ushort)0x3F81)] // just past the tie rounds up
    [InlineData(0xBF80FFFFu, (ushort)0xBF81)] // negative, rounds away from zero in magnitude
    [InlineData(0x7F7FFFFFu, (ushort)0x7F80)] // the largest float rounds to infinity, as IEEE rounding does
    public void Rounds_to_nearest_even(uint bits, ushort expected)
        => Assert.Equal(expected, Bf16Weights.Round(BitConverter.UInt32BitsToSingle(bits)));

    [Fact]
    public void Rounding_error_is_at_most_half_a_unit_of_8_bits()
    {
        var rng = new Random(1);
        for (int i = 0; i < 100_000; i++)
        {
            float x = (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-30, 30)));
            float y = Bf16Weights.Widen(Bf16Weights.Round(x));
            Assert.True(Math.Abs(x - y) <= Math.Abs(x) * Math.Pow(2, -8), $"{x} -> {y}");
        }
        Assert.True(float.IsNaN(Bf16Weights.Widen(Bf16Weights.Round(float.NaN))));
    }

    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (var kernel in Enum.GetValues<Bf16Kernel>()) data.Add(kernel.ToString());
        return data;
    }

    // Rows 1..9 (pairs and a lone last row), columns past a sweep of 4, k past a vector of 8; then two threads.
    [Theory]
    [MemberData(nameof(Kernels))]
    public void Product_matches_the_widened_weights_in_double(string kernelName)
    {
        var kernel = Enum.Parse<Bf16Kernel>(kernelName);
        if (!Bf16Gemm.IsSupported(kernel)) return;
        var rng = new Random(9);
        for (int m = 1; m <= 9; m++)
            foreach (int n in new[] { 1, 7, 17, 65 })
                foreach (int k in new[] { 1, 7, 17, 129 })
                    Check(rng, m, n, k, kernel, threads: 1);
        Check(rng, 7, 1031, 257, kernel, threads: 2);
    }

    private static void Check(Random rng, int m, int n, int k, Bf16Kernel kernel, int threads)
    {
        var x = Int8TestKit.Random(rng, m * k, 1f);
        var w = Bf16Weights.FromFloat(Int8TestKit.Random(rng, n * k, 1f), n, k);
        var bias = Int8TestKit.Random(rng, n, 1f);
        var wide = w.Widen();
        var c = new float[m * n];
        Bf16Gemm.Multiply(x, w, bias, c, m, kernel, threads);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = bias[j], magnitude = Math.Abs(bias[j]);
                for (int p = 0; p < k; p++)
                {
                    sum += (double)x[i * k + p] * wide[j * k + p];
                    magnitude += Math.Abs(x[i * k + p] * wide[j * k + p]);
                }
                Assert.True(Math.Abs(c[i * n + j] - sum) <= 1e-5 * magnitude,
                    $"{kernel} [{m},{n},{k}] {threads} thread(s): C[{i},{j}] = {c[i * n + j]}, expected {sum}");
            }
    }
}
