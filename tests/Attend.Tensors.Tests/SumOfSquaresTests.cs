using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests;

/// <summary>The vectorised Σx² in double against its reference: the same bits at every length (the CI reruns cover 256-bit and scalar).</summary>
public class SumOfSquaresTests
{
    [Fact]
    public void Equals_the_reference_bit_for_bit_at_every_length()
    {
        var rng = new Rng(3);
        for (int n = 0; n <= 200; n++)
        {
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.NextInt(8) - 4));
            Assert.Equal(BitConverter.DoubleToInt64Bits(SumOfSquares.Reference(x)), BitConverter.DoubleToInt64Bits(SumOfSquares.Of(x)));
        }
    }

    [Fact]
    public void A_run_fed_in_pieces_with_gaps_of_zeros_gives_the_bits_of_the_whole_run()
    {
        var rng = new Rng(5);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = rng.NextInt(300);
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() - 0.5);
            var lanes = new double[SumOfSquares.Lanes];
            for (int pos = 0; pos < n;)
            {
                int len = Math.Min(n - pos, 1 + rng.NextInt(40));
                if (rng.NextInt(3) == 0) Array.Clear(x, pos, len); // a row with no gradient: skipped, as zeros
                else SumOfSquares.Accumulate(x.AsSpan(pos, len), pos, lanes);
                pos += len;
            }
            Assert.Equal(BitConverter.DoubleToInt64Bits(SumOfSquares.Reference(x)), BitConverter.DoubleToInt64Bits(SumOfSquares.Total(lanes)));
        }
    }

    [Fact]
    public void Is_the_sum_of_squares_in_double()
    {
        var x = Enumerable.Range(1, 37).Select(i => (float)i).ToArray();
        Assert.Equal(Enumerable.Range(1, 37).Sum(i => (double)i * i), SumOfSquares.Of(x));
        Assert.Equal(0.0, SumOfSquares.Of([]));
        // Squares that overflow float stay finite in double.
        double big = (double)1e38f * 1e38f;
        Assert.True(Math.Abs(SumOfSquares.Of(Enumerable.Repeat(1e38f, 20).ToArray()) / (20 * big) - 1) < 1e-12);
    }
}
