using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests.Int8;

/// <summary>
/// A weight holding a quantized copy: the ops that multiply by it (Linear, the cells' hidden products, the step and
/// prefix projections, column slices) run the int8 or bf16 kernel on exactly those weights, and the values every
/// other op reads are the quantized ones.
/// </summary>
public class QuantizedWeightTests
{
    private static Tensor Weight(Random rng, int n, int k, Precision precision)
    {
        var w = Tensor.FromArray(Int8TestKit.Random(rng, n * k, 0.5f), n, k);
        w.UseQuantized(QuantizedWeight.Create(w.Data, n, k, precision));
        return w;
    }

    private static float[] Int8Product(Tensor x, Tensor w, Tensor? bias, int rows)
    {
        var y = new float[rows * w.Shape[0]];
        Int8Gemm.Multiply(x.Data, Rebuild(w), bias is null ? default : bias.Data, y, rows);
        return y;
    }

    /// <summary>The int8 weights again from the integers and scales the tensor's copy holds.</summary>
    private static Int8Weights Rebuild(Tensor w)
    {
        var (ints, scales) = w.Quantized!.Int8Values()!.Value;
        return Int8Weights.FromQuantized(ints, scales, w.Shape[0], w.Shape[1]);
    }

    [Fact]
    public void Values_become_the_quantized_ones_and_stay_within_half_a_step()
    {
        var rng = new Random(1);
        var original = Int8TestKit.Random(rng, 17 * 33, 0.5f);
        var w = Tensor.FromArray(original, 17, 33);
        w.UseQuantized(QuantizedWeight.Create(w.Data, 17, 33, Precision.Int8));
        var (ints, scales) = w.Quantized!.Int8Values()!.Value;
        for (int i = 0; i < original.Length; i++)
        {
            Assert.Equal(scales[i / 33] * ints[i], w.Data[i]);
            Assert.True(MathF.Abs(original[i] - w.Data[i]) <= scales[i / 33] / 2 * 1.0001f);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(70)]
    public void Linear_runs_the_int8_kernel_on_the_weights_copy(int rows)
    {
        var rng = new Random(rows);
        var w = Weight(rng, 37, 29, Precision.Int8);
        var bias = Tensor.FromArray(Int8TestKit.Random(rng, 37, 1f), 37);
        var x = Tensor.FromArray(Int8TestKit.Random(rng, rows * 29, 2f), rows, 29);
        var y = Ops.Linear(x, w, bias);
        Assert.Equal(Int8Product(x, w, bias, rows), y.ToArray());
        // …which is not the fp32 product of the same (quantized) values: the activations were quantized too.
        var fp32 = Tensor.FromArray(w.Data, 37, 29);
        Assert.NotEqual(Ops.Linear(x, fp32, bias).ToArray(), y.ToArray());
    }

    [Fact]
    public void Bf16_runs_its_kernel_on_few_rows_and_the_fp32_gemm_on_the_widened_values_beyond()
    {
        var rng = new Random(4);
        var w = Weight(rng, 37, 29, Precision.Bf16);
        var fp32 = Tensor.FromArray(w.Data, 37, 29);
        foreach (int rows in new[] { 1, 2, 9 })
        {
            var x = Tensor.FromArray(Int8TestKit.Random(rng, rows * 29, 2f), rows, 29);
            var expected = new float[rows * 37];
            if (rows <= QuantizedWeight.Bf16MaxRows) Bf16Gemm.Multiply(x.Data, Bf16Weights.FromBits(w.Quantized!.Bf16Bits!, 37, 29), default, expected, rows);
            else expected = Ops.Linear(x, fp32).ToArray();
            Assert.Equal(expected, Ops.Linear(x, w).ToArray());
        }
    }

    [Fact]
    public void A_column_slice_keeps_the_integers_and_row_scales()
    {
        var rng = new Random(5);
        var w = Weight(rng, 24, 40, Precision.Int8);
        var slice = Ops.Slice(w, 1, 8, 20);
        Assert.NotNull(slice.Quantized);
        var (ints, scales) = w.Quantized!.Int8Values()!.Value;
        var (sliceInts, sliceScales) = slice.Quantized!.Int8Values()!.Value;
        Assert.Equal(scales, sliceScales);
        for (int r = 0; r < 24; r++) Assert.Equal(ints.AsSpan(r * 40 + 8, 20).ToArray(), sliceInts.AsSpan(r * 20, 20).ToArray());
        Assert.Same(slice.Quantized, Ops.Slice(w, 1, 8, 20).Quantized); // made once per range
        var x = Tensor.FromArray(Int8TestKit.Random(rng, 3 * 20, 1f), 3, 20);
        Assert.Equal(Int8Product(x, slice, null, 3), Ops.Linear(x, slice).ToArray());
    }

    // Batch 1: a zero fp32 weight with the int8 product as its bias gives the cell the same pre-activations bit for bit.
    [Fact]
    public void Gru_cell_multiplies_the_hidden_state_in_int8()
    {
        var rng = new Random(6);
        int h = 24;
        var w = Weight(rng, 3 * h, h, Precision.Int8);
        var bias = Tensor.FromArray(Int8TestKit.Random(rng, 3 * h, 0.5f), 3 * h);
        var state = Tensor.FromArray(Int8TestKit.Random(rng, h, 1f), 1, h);
        var gx = Tensor.FromArray(Int8TestKit.Random(rng, 3 * h, 1f), 1, 3 * h);
        var gh = Tensor.FromArray(Int8Product(state, w, bias, 1), 3 * h);
        var expected = Ops.GruCell(gx, state, Tensor.Zeros(3 * h, h), gh);
        Assert.Equal(expected.ToArray(), Ops.GruCell(gx, state, w, bias).ToArray());
    }

    [Fact]
    public void Lstm_cell_multiplies_the_hidden_state_in_int8()
    {
        var rng = new Random(7);
        int h = 16;
        var w = Weight(rng, 4 * h, h, Precision.Int8);
        var state = Tensor.FromArray(Int8TestKit.Random(rng, h, 1f), 1, h);
        var cell = Tensor.FromArray(Int8TestKit.Random(rng, h, 1f), 1, h);
        var gx = Tensor.FromArray(Int8TestKit.Random(rng, 4 * h, 1f), 1, 4 * h);
        var gh = Tensor.FromArray(Int8Product(state, w, null, 1), 4 * h);
        var (eh, ec) = Ops.LstmCell(gx, state, cell, Tensor.Zeros(4 * h, h), gh);
        var (qh, qc) = Ops.LstmCell(gx, state, cell, w, null);
        Assert.Equal(eh.ToArray(), qh.ToArray());
        Assert.Equal(ec.ToArray(), qc.ToArray());
    }

    [Fact]
    public void Step_and_prefix_projections_run_the_int8_kernel()
    {
        var rng = new Random(8);
        var w = Weight(rng, 12, 10, Precision.Int8);
        var bias = Tensor.FromArray(Int8TestKit.Random(rng, 12, 0.5f), 12);
        var x = Tensor.FromArray(Int8TestKit.Random(rng, 2 * 3 * 10, 1f), 2, 3, 10);
        Assert.Equal(Int8Product(x, w, bias, 6), Ops.ProjectSteps(x, w, bias, 0, 3, 2).ToArray());
        // Prefixes: sentence 0 has 3 real positions, sentence 1 has 2; the padded one is 0.
        var y = Ops.LinearPrefixes(x, w, [3, 2]).ToArray();
        var rowsProduct = Int8Product(x, w, null, 6);
        Assert.Equal(rowsProduct.AsSpan(0, 5 * 12).ToArray(), y.AsSpan(0, 5 * 12).ToArray());
        Assert.All(y.AsSpan(5 * 12, 12).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_mismatched_copy_is_refused_naming_both_shapes()
    {
        var w = Tensor.Zeros(4, 5);
        w.Name = "decoder.out.weight";
        var e = Assert.Throws<ArgumentException>(() => w.UseQuantized(QuantizedWeight.Create(new float[20], 5, 4, Precision.Int8)));
        Assert.Contains("decoder.out.weight", e.Message);
        Assert.Contains("[5, 4]", e.Message);
    }
}
