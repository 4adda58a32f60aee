using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests;

public class GemmTests
{
    // Every axis takes each of 1, 7, 17, 65, 129, 257 somewhere; sizes straddle the tile sizes
    // (4, 6, 8, 16, 32) and the KC=256 block so ragged tiles and a second k slice both run.
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 7, 17), (1, 257, 65), (1, 129, 257), (2, 65, 7), (4, 17, 129),
        (7, 1, 129), (7, 7, 7), (17, 65, 1), (65, 17, 7), (129, 1, 17), (17, 129, 257),
        (65, 257, 17), (257, 7, 65), (129, 65, 129), (6, 16, 3), (12, 32, 5), (8, 64, 9),
    ];

    // Kernel and route names (the enums are internal, theory parameters must be public types).
    public static TheoryData<string, string> Paths()
    {
        var data = new TheoryData<string, string>();
        foreach (var kernel in Enum.GetNames<GemmKernel>())
            foreach (var route in Enum.GetNames<GemmRoute>())
                data.Add(kernel, route);
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Matches_the_reference_at_awkward_sizes_for_every_transpose(string kernelName, string routeName)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        var route = Enum.Parse<GemmRoute>(routeName);
        var rng = new Random(1234);
        foreach (var (m, n, k) in Shapes)
        {
            // The direct route is meant for a few rows; keep it off the big shapes so the test stays fast.
            if (route == GemmRoute.Direct && m > 17) continue;
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                    foreach (bool accumulate in new[] { false, true })
                        Check(rng, m, n, k, transA, transB, accumulate, kernel, route, threads: 1);
        }
    }

    // The direct route serves every row count it is given in one pass over B (up to 8 rows with a
    // stored [n, k] B, 4 with a stored [k, n] B, and groups of those past that); each count from 1
    // to 9 with odd n and k, so the repeated rows of a partial group, the odd last column and the
    // k tail after the last full vector all run.
    public static TheoryData<string, int> DirectRowCounts()
    {
        var data = new TheoryData<string, int>();
        foreach (var kernel in new[] { GemmKernel.Scalar, GemmKernel.Vector256, GemmKernel.Vector512 })
            for (int m = 1; m <= 9; m++)
                data.Add(kernel.ToString(), m);
        return data;
    }

    [Theory]
    [MemberData(nameof(DirectRowCounts))]
    public void Direct_route_matches_the_reference_for_each_row_count(string kernelName, int m)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        var rng = new Random(500 + m);
        int[] sizes = [1, 7, 17, 65, 129];
        foreach (int n in sizes)
            foreach (int k in sizes)
                foreach (bool transA in new[] { false, true })
                    foreach (bool transB in new[] { false, true })
                        foreach (bool accumulate in new[] { false, true })
                            Check(rng, m, n, k, transA, transB, accumulate, kernel, GemmRoute.Direct, threads: 1);
    }

    // Beam 5 with batch 1 multiplies five rows by each weight; its kernel sums in the order of the six-row
    // one, so a hypothesis's products have the same bits whether five or six rows share the step. Odd n
    // and k run the last column and the k tail; 4099 × 513 is a B past 8 MB (the kernels that prefetch).
    [Theory]
    [InlineData("Vector256", 17, 129)]
    [InlineData("Vector256", 4099, 513)]
    [InlineData("Vector512", 65, 7)]
    public void Five_rows_give_the_bits_of_the_first_five_of_six(string kernelName, int n, int k)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        var rng = new Random(5);
        var a = Fill(rng, 6 * k);
        var b = Fill(rng, n * k);
        foreach (bool accumulate in new[] { false, true })
            foreach (int threads in new[] { 1, 2 })
            {
                var c0 = Fill(new Random(6), 6 * n);
                var six = (float[])c0.Clone();
                var five = c0.AsSpan(0, 5 * n).ToArray();
                Gemm.Multiply(a, b, six, 6, n, k, false, true, accumulate, kernel, GemmRoute.Direct, threads);
                Gemm.Multiply(a.AsSpan(0, 5 * k), b, five, 5, n, k, false, true, accumulate, kernel, GemmRoute.Direct, threads);
                for (int i = 0; i < five.Length; i++)
                    if (BitConverter.SingleToInt32Bits(five[i]) != BitConverter.SingleToInt32Bits(six[i]))
                        Assert.Fail($"{kernel} n={n} k={k} accumulate={accumulate} threads={threads}: C[{i / n},{i % n}] = {five[i]} with five rows, {six[i]} with six");
            }
    }

    // The packed route's block boundaries, per kernel, taken from its own block sizes: more rows than
    // one MC block with more depth than one KC slice, so later row blocks add their second k slice
    // onto C; and more columns than one NC block, so a second column block is packed.
    public static TheoryData<string, int, int, int> BlockBoundaries()
    {
        var data = new TheoryData<string, int, int, int>();
        void Add<TK>(GemmKernel kernel) where TK : struct, IGemmMicroKernel
        {
            data.Add(kernel.ToString(), 2 * TK.MC + 3, 9, TK.KC + 19);
            data.Add(kernel.ToString(), TK.MC + 2, TK.NC + 5, 3);
        }
        Add<Kernel4x4>(GemmKernel.Scalar);
        Add<Kernel6x16>(GemmKernel.Vector256);
        Add<Kernel8x32>(GemmKernel.Vector512);
        return data;
    }

    [Theory]
    [MemberData(nameof(BlockBoundaries))]
    public void Matches_the_reference_across_the_packed_block_boundaries(string kernelName, int m, int n, int k)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        var rng = new Random(77);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                Check(rng, m, n, k, transA, transB, accumulate: transB, kernel, GemmRoute.Packed, threads: 1);
    }

    [Theory]
    [InlineData(160, 400, 130)] // more columns than rows: threads split N
    [InlineData(530, 70, 140)]  // more rows: threads split M
    [InlineData(1, 5000, 300)]  // one row, wide: the direct path splits N
    [InlineData(6, 3000, 200)]  // a few rows: direct with stored [n, k] B, packed otherwise
    [InlineData(5, 4099, 513)]  // a stored [n, k] B over 8 MB: the direct kernels that prefetch
    [InlineData(700, 1, 2000)]  // one column: run as a row of Cᵀ
    public void Multithreaded_products_match_the_reference(int m, int n, int k)
    {
        var rng = new Random(99);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                Check(rng, m, n, k, transA, transB, accumulate: transA, GemmKernel.Auto, GemmRoute.Auto, threads: 2);
    }

    [Theory]
    [InlineData(160, 400, 130)] // threads split N: each writes the bias into its columns
    [InlineData(530, 70, 140)]  // threads split M: each writes the bias into its rows
    [InlineData(64, 8000, 64)]  // a greedy output layer's shape (smaller depth)
    [InlineData(5, 4099, 513)]  // the direct path
    [InlineData(700, 1, 2000)]  // one column, computed transposed: bias written first
    [InlineData(3, 7, 0)]       // no depth: C is the bias
    public void Row_bias_is_added_to_every_row_with_one_thread_or_two(int m, int n, int k)
    {
        var rng = new Random(7);
        foreach (bool transB in new[] { false, true })
            foreach (int threads in new[] { 1, 2 })
            {
                var a = Enumerable.Range(0, m * k).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
                var b = Enumerable.Range(0, k * n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
                var bias = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
                var expected = new float[m * n];
                for (int r = 0; r < m; r++) bias.CopyTo(expected, r * n);
                GemmReference.Multiply(a, b, expected, m, n, k, false, transB, accumulate: true);
                var c = Enumerable.Repeat(float.NaN, m * n).ToArray(); // every element must be written
                Gemm.Multiply(a, b, c, m, n, k, false, transB, false, GemmKernel.Auto, GemmRoute.Auto, threads, bias);
                for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 1e-4f);
            }
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyAddRowBias(new float[6], new float[6], new float[3], new float[4], 2, 2, 3));
    }

    [Fact]
    public void Zero_depth_clears_or_keeps_C()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Multiply([], [], c, 2, 3, 0, accumulate: true);
        Assert.Equal([1f, 2, 3, 4, 5, 6], c);
        Gemm.Multiply([], [], c, 2, 3, 0);
        Assert.All(c, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Empty_outputs_do_nothing()
    {
        var c = new float[] { 7 };
        Gemm.Multiply([], new float[5], c, 0, 1, 5);
        Gemm.Multiply(new float[5], [], c, 1, 0, 5);
        Assert.Equal(7f, c[0]);
    }

    [Fact]
    public void Concurrent_callers_each_get_their_own_product()
    {
        // The worker threads serve one caller at a time; others must fall back to running alone.
        Parallel.For(0, 4, t => Check(new Random(t), 200, 300, 100 + t, t % 2 == 0, t % 3 == 0, false,
            GemmKernel.Auto, GemmRoute.Auto, threads: 2));
    }

    [Fact]
    public void Too_short_spans_are_rejected_with_the_sizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[5], new float[6], new float[4], 2, 2, 3));
        Assert.Contains("2*3", ex.Message);
    }

    private static void Check(Random rng, int m, int n, int k, bool transA, bool transB, bool accumulate,
        GemmKernel kernel, GemmRoute route, int threads)
    {
        var a = Fill(rng, m * k);
        var b = Fill(rng, k * n);
        // Without accumulate, C starts as NaN so any element the kernel forgets to write shows up.
        var c = accumulate ? Fill(rng, m * n) : Enumerable.Repeat(float.NaN, m * n).ToArray();
        var initial = (float[])c.Clone();
        var expected = (float[])c.Clone();
        GemmReference.Multiply(a, b, expected, m, n, k, transA, transB, accumulate);
        Gemm.Multiply(a, b, c, m, n, k, transA, transB, accumulate, kernel, route, threads);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                // Float summation of k products errs by at most ~k·ε·Σ|a||b| (plus the accumulated C).
                double magnitude = accumulate ? Math.Abs(initial[i * n + j]) : 0;
                for (int p = 0; p < k; p++)
                    magnitude += Math.Abs((transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]));
                double tolerance = (k + 2) * 1.2e-7 * magnitude + 1e-30;
                float got = c[i * n + j], want = expected[i * n + j];
                if (!(Math.Abs(got - want) <= tolerance))
                    Assert.Fail($"{kernel}/{route} m={m} n={n} k={k} transA={transA} transB={transB} accumulate={accumulate} " +
                        $"threads={threads}: C[{i},{j}] = {got}, reference {want} (tolerance {tolerance:g3})");
            }
        }
    }

    private static float[] Fill(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
