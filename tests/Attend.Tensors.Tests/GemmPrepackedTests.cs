using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests;

/// <summary>
/// A weight packed once (<see cref="GemmPrepacked"/>) gives the bits of the same product packing it at every call,
/// for every kernel, row count (the few-rows route, one row block, several), thread count, ragged sizes and
/// depths of several slices; and <see cref="PackedWeights"/> makes Linear read it only while held.
/// </summary>
public class GemmPrepackedTests
{
    [Theory]
    [InlineData("Scalar")]
    [InlineData("Vector256")]
    [InlineData("Vector512")]
    public void Prepacked_products_give_the_bits_of_packing_at_each_call(string kernelName)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        if (kernel > Gemm.BestKernel) return; // not accelerated here (CI reruns these with AVX-512, then AVX2, off)
        var rng = new Rng(3);
        foreach (var (n, k) in new[] { (37, 11), (300, 700), (1030, 260) })
        {
            var w = new float[n * k];
            rng.FillNormal(w, 0f, 1f);
            var packed = new GemmPrepacked(n, k, kernel);
            packed.Pack(w);
            var bias = new float[n];
            rng.FillNormal(bias, 0f, 1f);
            foreach (int m in new[] { 1, 5, 9, 64, 250 })
            {
                var a = new float[m * k];
                rng.FillNormal(a, 0f, 1f);
                foreach (int threads in new[] { 1, 2 })
                {
                    var expected = new float[m * n];
                    var actual = new float[m * n];
                    Gemm.Multiply(a, w, expected, m, n, k, false, true, false, kernel, GemmRoute.Auto, threads, bias);
                    Gemm.MultiplyPrepacked(a, w, packed, bias, actual, m, threads: threads);
                    Assert.Equal(expected, actual);
                    // Accumulating into C, without a bias (the LSTM's gates).
                    var start = new float[m * n];
                    rng.FillNormal(start, 0f, 1f);
                    start.CopyTo(expected, 0);
                    start.CopyTo(actual, 0);
                    Gemm.Multiply(a, w, expected, m, n, k, false, true, true, kernel, GemmRoute.Auto, threads);
                    Gemm.MultiplyPrepacked(a, w, packed, default, actual, m, accumulate: true, threads: threads);
                    Assert.Equal(expected, actual);
                }
            }
        }
    }

    [Fact]
    public void Linear_reads_the_packed_copy_only_while_it_is_held()
    {
        var rng = new Rng(5);
        var x = Tensor.Zeros(20, 33);
        var w = Tensor.Parameter("w", 70, 33);
        var b = Tensor.Parameter("b", 70);
        rng.FillNormal(x.Data, 0f, 1f);
        rng.FillNormal(w.Data, 0f, 1f);
        rng.FillNormal(b.Data, 0f, 1f);
        var plain = Ops.Linear(x, w, b).ToArray();
        using (PackedWeights.Hold([w]))
        {
            Assert.NotNull(w.Packed);
            Assert.Equal(plain, Ops.Linear(x, w, b).ToArray());
        }
        Assert.Null(w.Packed);
        // Changed weights are packed again by the next hold.
        rng.FillNormal(w.Data, 0f, 1f);
        var changed = Ops.Linear(x, w, b).ToArray();
        using (PackedWeights.Hold([w]))
            Assert.Equal(changed, Ops.Linear(x, w, b).ToArray());
        Assert.NotEqual(plain, changed);
    }

    [Fact]
    public void A_released_weight_gives_its_packed_copy_back_for_the_next_one()
    {
        var rng = new Rng(7);
        var slice = Tensor.Zeros(71, 37);
        rng.FillNormal(slice.Data, 0f, 1f);
        GemmPrepacked copy;
        using (PackedWeights.Hold([slice])) copy = slice.Packed!;
        Assert.Null(slice.Packed);
        // The next weight of that size packs into the same pinned buffer (a shape no other test uses).
        var next = Tensor.Zeros(71, 37);
        rng.FillNormal(next.Data, 0f, 1f);
        var x = Tensor.Zeros(12, 37);
        rng.FillNormal(x.Data, 0f, 1f);
        var plain = Ops.Linear(x, next).ToArray();
        using (PackedWeights.Hold([next]))
        {
            Assert.Same(copy, next.Packed);
            Assert.Equal(plain, Ops.Linear(x, next).ToArray()); // packed again with the new values
        }
        // Released spares are gone: the next hold packs into a new copy.
        PackedWeights.ReleaseSpares();
        using (PackedWeights.Hold([next]))
        {
            Assert.NotSame(copy, next.Packed);
            Assert.Equal(plain, Ops.Linear(x, next).ToArray());
        }
    }
}
