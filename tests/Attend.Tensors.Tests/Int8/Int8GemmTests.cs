using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests.Int8;

/// <summary>
/// Every int8 kernel against the naive reference, exactly in int32, on awkward sizes; and the scaled product
/// against fp32 within the quantization error bound. A kernel this CPU lacks is skipped (it runs where it exists).
/// </summary>
public class Int8GemmTests
{
    private static readonly int[] Sizes = [1, 7, 17, 65, 129, 257];

    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (var kernel in Enum.GetValues<Int8Kernel>()) data.Add(kernel.ToString());
        return data;
    }

    // Every (m, n, k) from the sizes: ragged tiles (rows past 4, 6, 8), ragged panels (n past 16) and k not a
    // multiple of 4 all run. Half the integers sit at the ends of their range, so a pair sum that saturates
    // int16 (vpmaddubsw with 8-bit activations) would show.
    [Theory]
    [MemberData(nameof(Kernels))]
    public void Int32_product_equals_the_reference_at_awkward_sizes(string kernelName)
    {
        var kernel = Enum.Parse<Int8Kernel>(kernelName);
        if (!Int8Gemm.IsSupported(kernel)) return;
        var rng = new Random(7);
        foreach (int m in Sizes)
            foreach (int n in Sizes)
                foreach (int k in Sizes)
                    CheckExact(rng, m, n, k, kernel, threads: 1);
    }

    // Beam search with batch 1 multiplies one to eight rows (a tile and a partial one past the tile height).
    [Theory]
    [MemberData(nameof(Kernels))]
    public void Int32_product_equals_the_reference_for_each_few_row_count(string kernelName)
    {
        var kernel = Enum.Parse<Int8Kernel>(kernelName);
        if (!Int8Gemm.IsSupported(kernel)) return;
        var rng = new Random(11);
        for (int m = 1; m <= 9; m++) CheckExact(rng, m, 33, 130, kernel, threads: 1);
    }

    // Large enough to split the panels over two threads (and two chunks each), and past one block of rows.
    [Theory]
    [MemberData(nameof(Kernels))]
    public void Two_threads_give_the_reference_product(string kernelName)
    {
        var kernel = Enum.Parse<Int8Kernel>(kernelName);
        if (!Int8Gemm.IsSupported(kernel)) return;
        CheckExact(new Random(3), 200, 515, 63, kernel, threads: 2);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Scaled_product_is_within_the_quantization_bound_of_fp32(string kernelName)
    {
        var kernel = Enum.Parse<Int8Kernel>(kernelName);
        if (!Int8Gemm.IsSupported(kernel)) return;
        var rng = new Random(5);
        foreach (var (m, n, k) in new[] { (1, 7, 17), (7, 65, 129), (17, 257, 65), (65, 17, 257), (9, 129, 7) })
        {
            var x = Int8TestKit.Random(rng, m * k, 1f);
            for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) x[i * k + p] *= 1 + i; // rows of different ranges
            var w = Int8TestKit.Random(rng, n * k, 0.1f);
            var bias = Int8TestKit.Random(rng, n, 1f);
            var expected = new float[m * n];
            GemmReference.Multiply(x, w, expected, m, n, k, transA: false, transB: true, accumulate: false);
            var packed = Int8Weights.Quantize(w, n, k);
            var c = new float[m * n];
            Int8Gemm.Multiply(x, packed, bias, c, m, kernel, threads: 1);
            int levels = Int8Quantize.ActivationLevels(kernel);
            for (int i = 0; i < m; i++)
            {
                var row = x.AsSpan(i * k, k);
                float dx = MathF.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(row)) / levels;
                for (int j = 0; j < n; j++)
                {
                    float dw = packed.Scales[j];
                    double bound = 0, magnitude = Math.Abs(bias[j]);
                    for (int p = 0; p < k; p++)
                    {
                        double ax = Math.Abs(x[i * k + p]), aw = Math.Abs(w[j * k + p]);
                        bound += ax * dw / 2 + aw * dx / 2 + dx * dw / 4;
                        magnitude += ax * aw;
                    }
                    bound += 1e-5 * magnitude; // fp32 rounding of both products
                    double error = Math.Abs(c[i * n + j] - (expected[i * n + j] + bias[j]));
                    Assert.True(error <= bound, $"{kernel} [{m},{n},{k}] C[{i},{j}]: error {error} > bound {bound}");
                }
            }
        }
    }

    // A NaN or an infinity in a row of x poisons that row of C (as in fp32), and only that row: in the vector body
    // of the quantizer (column 40) and in its scalar tail (column 64 of 65).
    [Theory]
    [MemberData(nameof(Kernels))]
    public void A_row_of_x_that_is_not_finite_gives_nan_in_its_row_only(string kernelName)
    {
        var kernel = Enum.Parse<Int8Kernel>(kernelName);
        if (!Int8Gemm.IsSupported(kernel)) return;
        const int m = 3, n = 17, k = 65;
        var rng = new Random(4);
        var x = Int8TestKit.Random(rng, m * k, 1f);
        var w = Int8Weights.Quantize(Int8TestKit.Random(rng, n * k, 1f), n, k);
        var clean = new float[m * n];
        Int8Gemm.Multiply(x, w, default, clean, m, kernel, threads: 1);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
            foreach (int column in new[] { 40, 64 })
            {
                var y = (float[])x.Clone();
                y[k + column] = bad;
                var c = new float[m * n];
                Int8Gemm.Multiply(y, w, default, c, m, kernel, threads: 1);
                for (int j = 0; j < n; j++)
                {
                    Assert.True(float.IsNaN(c[n + j]), $"{bad} at column {column}: C[1,{j}] = {c[n + j]}");
                    Assert.Equal(clean[j], c[j]);
                    Assert.Equal(clean[2 * n + j], c[2 * n + j]);
                }
            }
    }

    // A row of zeros has scale 0: its row of C (a zero row of x) or its column (a zero row of W) is exactly the bias.
    [Theory]
    [MemberData(nameof(Kernels))]
    public void A_row_of_zeros_gives_exactly_the_bias(string kernelName)
    {
        var kernel = Enum.Parse<Int8Kernel>(kernelName);
        if (!Int8Gemm.IsSupported(kernel)) return;
        const int m = 3, n = 17, k = 65;
        var rng = new Random(8);
        var x = Int8TestKit.Random(rng, m * k, 1f);
        var wf = Int8TestKit.Random(rng, n * k, 1f);
        var bias = Int8TestKit.Random(rng, n, 1f);
        Array.Clear(x, k, k);   // row 1 of x
        Array.Clear(wf, 5 * k, k); // row 5 of W: column 5 of C
        var c = new float[m * n];
        Int8Gemm.Multiply(x, Int8Weights.Quantize(wf, n, k), bias, c, m, kernel, threads: 1);
        for (int j = 0; j < n; j++) Assert.Equal(bias[j], c[n + j]);
        for (int i = 0; i < m; i++) Assert.Equal(bias[5], c[i * n + 5]);
    }

    private static void CheckExact(Random rng, int m, int n, int k, Int8Kernel kernel, int threads)
    {
        int levels = Int8Quantize.ActivationLevels(kernel);
        var qx = Int8TestKit.Integers(rng, m * k, levels);
        var qw = Int8TestKit.Integers(rng, n * k, Int8Quantize.WeightLevels);
        var w = Int8Weights.FromQuantized(qw, Int8TestKit.Random(rng, n, 1f).Select(MathF.Abs).ToArray(), n, k);
        var u = new byte[m * w.KPadded];
        Array.Fill(u, (byte)(levels + 1));
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) u[i * w.KPadded + p] = (byte)(qx[i * k + p] + levels + 1);
        var expected = new int[m * n];
        Int8GemmReference.Multiply(qx, qw, expected, m, n, k);
        var actual = new int[m * n];
        Int8Gemm.MultiplyQuantized(u, levels + 1, w, actual, m, kernel, threads);
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] != actual[i])
                Assert.Fail($"{kernel} [{m},{n},{k}] {threads} thread(s): C[{i / n},{i % n}] = {actual[i]}, reference {expected[i]}");
    }
}
