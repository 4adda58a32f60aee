using Attend.Tensors;

namespace Attend.Tensors.Tests;

public class CrossEntropyTests
{
    private static Tensor Logits(params float[] values)
    {
        var t = Tensor.Parameter("logits", values.Length / 3, 3);
        values.CopyTo(t.Data);
        return t;
    }

    [Fact]
    public void Matches_a_hand_computed_value()
    {
        // Row 0: −log softmax([1,2,3])[2] = log(1 + e⁻¹ + e⁻²); row 1: −log(1/3).
        var logits = Logits(1, 2, 3, 1, 1, 1);
        var loss = Ops.CrossEntropy(logits, [2, 1]);
        double expected = (Math.Log(1 + Math.Exp(-1) + Math.Exp(-2)) + Math.Log(3)) / 2;
        Assert.Equal(expected, loss.Item(), 6);
    }

    [Fact]
    public void Batch_by_time_logits_are_read_as_rows_without_a_reshape()
    {
        float[] values = [1, 2, 3, 5, -1, 2, 0.5f, 0.25f, -3, 4, 4, 4];
        var flat = Logits(values);
        var shaped = Tensor.Parameter("logits3", 2, 2, 3);
        values.CopyTo(shaped.Data);
        int[] targets = [2, 0, 1, 2];
        var a = Ops.CrossEntropy(flat, targets, ignoreIndex: 0);
        var b = Ops.CrossEntropy(shaped, targets, ignoreIndex: 0);
        Assert.Equal(a.Item(), b.Item());
        a.Backward();
        b.Backward();
        Assert.Equal(flat.Grad.ToArray(), shaped.Grad.ToArray());
        Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(Tensor.Zeros(3), [1, 1, 1]));
    }

    [Fact]
    public void Ignored_positions_count_for_nothing_and_get_zero_gradient()
    {
        var logits = Logits(1, 2, 3, 5, -1, 2);
        var loss = Ops.CrossEntropy(logits, [2, 0], ignoreIndex: 0);
        Assert.Equal(Math.Log(1 + Math.Exp(-1) + Math.Exp(-2)), loss.Item(), 6);
        loss.Backward();
        Assert.Equal([0f, 0f, 0f], logits.Grad[3..].ToArray());
        // Unignored row: softmax − one-hot, divided by the one counted position.
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Assert.Equal(Math.Exp(1) / z, logits.Grad[0], 6);
        Assert.Equal(Math.Exp(3) / z - 1, logits.Grad[2], 6);
    }

    [Fact]
    public void Label_smoothing_follows_the_pytorch_formula()
    {
        // PyTorch: (1 − ε)·nll + ε·mean_v(−log p_v), averaged over the non-ignored positions.
        float[] v = [0.3f, -1.2f, 2.0f, 0.7f, 0.7f, -0.4f, 1.5f, 0.2f, -2.0f];
        int[] targets = [1, 0, 2];
        const float eps = 0.1f;
        var logits = Logits(v);
        var loss = Ops.CrossEntropy(logits, targets, ignoreIndex: 0, labelSmoothing: eps);
        double total = 0;
        foreach (int row in new[] { 0, 2 })
        {
            var x = v.AsSpan(row * 3, 3).ToArray().Select(f => (double)f).ToArray();
            double lse = Math.Log(x.Sum(Math.Exp));
            double nll = lse - x[targets[row]];
            double smooth = x.Average(xv => lse - xv);
            total += (1 - eps) * nll + eps * smooth;
        }
        Assert.Equal(total / 2, loss.Item(), 5);
        loss.Backward();
        // Gradient: (softmax − q)/2 with q = (1 − ε)·onehot + ε/V.
        var r2 = v.AsSpan(6, 3).ToArray().Select(f => Math.Exp(f)).ToArray();
        double z2 = r2.Sum();
        for (int j = 0; j < 3; j++)
        {
            double q = (j == 2 ? 1 - eps : 0) + eps / 3;
            Assert.Equal((r2[j] / z2 - q) / 2, logits.Grad[6 + j], 6);
        }
    }

    [Fact]
    public void Every_target_ignored_gives_zero_loss_and_zero_gradient()
    {
        var logits = Logits(1, 2, 3, 4, 5, 6);
        var loss = Ops.CrossEntropy(logits, [0, 0], labelSmoothing: 0.2f);
        Assert.Equal(0f, loss.Item());
        loss.Backward();
        Assert.All(logits.Grad.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Huge_logits_stay_finite()
    {
        var logits = Logits(1e4f, -1e4f, 0f);
        var loss = Ops.CrossEntropy(logits, [1], ignoreIndex: -100);
        Assert.Equal(2e4, loss.Item(), 0);
        loss.Backward();
        Assert.All(logits.Grad.ToArray(), g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void A_target_outside_the_vocabulary_is_an_error_naming_it()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.CrossEntropy(Logits(1, 2, 3), [7]));
        Assert.Contains("target 7", e.Message);
        Assert.Contains("V = 3", e.Message);
    }
}

/// <summary>The fused output layer + loss against Linear then CrossEntropy, the two ops it replaces.</summary>
public class LinearCrossEntropyTests
{
    private static (Tensor X, Tensor W, Tensor B, int[] Targets) Problem(int b, int t, int r, int v, ulong seed, int padEvery)
    {
        var rng = new Rng(seed);
        var x = Tensor.Parameter("x", b, t, r);
        var w = Tensor.Parameter("w", v, r);
        var bias = Tensor.Parameter("b", v);
        rng.FillNormal(x.Data, 0f, 1f);
        rng.FillNormal(w.Data, 0f, 0.5f);
        rng.FillNormal(bias.Data, 0f, 0.5f);
        var targets = new int[b * t];
        for (int i = 0; i < targets.Length; i++) targets[i] = padEvery > 0 && i % padEvery == 0 ? 0 : 1 + rng.NextInt(v - 1);
        return (x, w, bias, targets);
    }

    [Theory]
    [InlineData(0f, 3)]
    [InlineData(0.1f, 3)]
    [InlineData(0.1f, 0)] // nothing ignored: x is used in place, not packed
    public void Gives_the_loss_and_gradients_of_linear_then_cross_entropy(float smoothing, int padEvery)
    {
        // 40 × 300 rows by 500 words: large enough for the packed GEMM route and the parallel row chunks.
        var (x, w, b, targets) = Problem(8, 5, 300 / 5, 500, 7, padEvery);
        var fused = Ops.LinearCrossEntropy(x, w, b, targets, 0, smoothing);
        fused.Backward();
        var (fx, fw, fb) = (x.Grad.ToArray(), w.Grad.ToArray(), b.Grad.ToArray());
        x.ZeroGrad(); w.ZeroGrad(); b.ZeroGrad();
        var plain = Ops.CrossEntropy(Ops.Linear(x, w, b), targets, 0, smoothing);
        plain.Backward();
        Assert.Equal(plain.Item(), fused.Item(), 6);
        AssertClose(x.Grad, fx, "dx");
        AssertClose(w.Grad, fw, "dW");
        AssertClose(b.Grad, fb, "db");
        if (padEvery > 0)
            for (int i = 0; i < targets.Length; i += padEvery)
                Assert.All(fx.AsSpan(i * 60, 60).ToArray(), g => Assert.Equal(0f, g));
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(true, 4)]
    public void Over_several_chunks_of_logits_with_any_seed_and_pooled_gradients_it_gives_the_composed_gradients(bool scoped, int padEvery)
    {
        // 700 rows: three chunks of logits (256 at a time), the last one partial. The seed 2.5 scales the
        // gradients the forward computed for a seed of 1; in a scope, with the gradients dropped to the pool,
        // the fused op hands its buffers over as the parameters' gradients instead of adding them.
        var (x, w, b, targets) = Problem(10, 70, 16, 300, 9, padEvery);
        var seed = Tensor.FromArray([2.5f]);
        float[] fx, fw, fb;
        float fused;
        using (TensorScope.Begin())
        {
            if (scoped) { x.DropGrad(); w.DropGrad(); b.DropGrad(); }
            var loss = Ops.LinearCrossEntropy(x, w, b, targets, 0, 0.1f);
            fused = loss.Item();
            loss.Backward(seed, keepValues: !scoped);
            (fx, fw, fb) = (x.Grad.ToArray(), w.Grad.ToArray(), b.Grad.ToArray());
        }
        x.ZeroGrad(); w.ZeroGrad(); b.ZeroGrad();
        var plain = Ops.CrossEntropy(Ops.Linear(x, w, b), targets, 0, 0.1f);
        plain.Backward(seed);
        Assert.Equal(plain.Item(), fused, 6);
        AssertClose(x.Grad, fx, "dx");
        AssertClose(w.Grad, fw, "dW");
        AssertClose(b.Grad, fb, "db");
    }

    private static void AssertClose(Span<float> expected, float[] actual, string what)
    {
        float scale = 0f;
        foreach (var e in expected) scale = MathF.Max(scale, MathF.Abs(e));
        Assert.True(scale > 0f, $"{what}: the reference gradient is all zero");
        for (int i = 0; i < actual.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-5f * scale, $"{what}[{i}]: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void Ignored_rows_are_never_multiplied_even_when_they_hold_nan()
    {
        // Linear then CrossEntropy would carry the NaN rows into dW through 0 · NaN; the fused op never reads them.
        var (x, w, b, targets) = Problem(2, 3, 4, 6, 11, 3);
        for (int i = 0; i < targets.Length; i += 3) x.Data.Slice(i * 4, 4).Fill(float.NaN);
        var loss = Ops.LinearCrossEntropy(x, w, b, targets);
        Assert.True(float.IsFinite(loss.Item()));
        loss.Backward();
        Assert.All(w.Grad.ToArray(), g => Assert.True(float.IsFinite(g)));
        Assert.All(b.Grad.ToArray(), g => Assert.True(float.IsFinite(g)));
        Assert.All(x.Grad.ToArray(), g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void Only_padding_gives_zero_loss_and_no_gradient()
    {
        var (x, w, b, _) = Problem(2, 2, 3, 4, 9, 0);
        var loss = Ops.LinearCrossEntropy(x, w, b, [0, 0, 0, 0]);
        Assert.Equal(0f, loss.Item());
        loss.Backward();
        Assert.All(x.Grad.ToArray(), g => Assert.Equal(0f, g));
        Assert.All(w.Grad.ToArray(), g => Assert.Equal(0f, g));
        Assert.All(b.Grad.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Bad_shapes_and_targets_are_errors_naming_them()
    {
        var (x, w, b, _) = Problem(1, 2, 3, 4, 10, 0);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.LinearCrossEntropy(x, w, b, [1, 9]));
        Assert.Contains("target 9 at position 1", e.Message);
        Assert.Contains("V = 4", e.Message);
        Assert.Contains("need N = 2", Assert.Throws<ArgumentException>(() => Ops.LinearCrossEntropy(x, w, b, [1])).Message);
        Assert.Contains("does not match weight", Assert.Throws<ArgumentException>(() => Ops.LinearCrossEntropy(x, Tensor.Zeros(4, 5), null, [1, 1])).Message);
        Assert.Contains("bias", Assert.Throws<ArgumentException>(() => Ops.LinearCrossEntropy(x, w, Tensor.Zeros(3), [1, 1])).Message);
    }
}

[Collection(GlobalStateCollection.Name)]
public class CrossEntropyThreadingTests
{
    [Fact]
    public void Loss_and_gradient_are_bit_identical_with_one_or_two_threads()
    {
        // 300 × 1000 is above the parallel threshold, so two threads really split the rows.
        var rng = new Rng(31);
        var logits = Tensor.Parameter("logits", 300, 1000);
        rng.FillNormal(logits.Data, 0f, 2f);
        var targets = new int[300];
        for (int i = 0; i < targets.Length; i++) targets[i] = rng.NextInt(1000);
        int saved = Parallelism.MaxThreads;
        try
        {
            (float, float[]) Run(int threads)
            {
                Parallelism.MaxThreads = threads;
                logits.ZeroGrad();
                var loss = Ops.CrossEntropy(logits, targets, labelSmoothing: 0.1f);
                loss.Backward();
                return (loss.Item(), logits.Grad.ToArray());
            }
            var (l1, g1) = Run(1);
            var (l2, g2) = Run(2);
            Assert.Equal(l1, l2);
            Assert.True(g1.AsSpan().SequenceEqual(g2), "gradients differ between 1 and 2 threads");
            Assert.Contains(g1, g => g != 0f);
        }
        finally { Parallelism.MaxThreads = saved; }
    }

    [Fact]
    public void Linear_cross_entropy_is_bit_identical_with_one_or_two_threads()
    {
        var rng = new Rng(32);
        var x = Tensor.Parameter("x", 300, 64);
        var w = Tensor.Parameter("w", 1000, 64);
        rng.FillNormal(x.Data, 0f, 1f);
        rng.FillNormal(w.Data, 0f, 0.3f);
        var targets = new int[300];
        for (int i = 0; i < targets.Length; i++) targets[i] = i % 4 == 0 ? 0 : 1 + rng.NextInt(999);
        int saved = Parallelism.MaxThreads;
        try
        {
            (float, float[], float[]) Run(int threads)
            {
                Parallelism.MaxThreads = threads;
                x.ZeroGrad();
                w.ZeroGrad();
                var loss = Ops.LinearCrossEntropy(x, w, null, targets, labelSmoothing: 0.1f);
                loss.Backward();
                return (loss.Item(), x.Grad.ToArray(), w.Grad.ToArray());
            }
            var (l1, x1, w1) = Run(1);
            var (l2, x2, w2) = Run(2);
            Assert.Equal(l1, l2);
            Assert.True(x1.AsSpan().SequenceEqual(x2), "dx differs between 1 and 2 threads");
            Assert.True(w1.AsSpan().SequenceEqual(w2), "dW differs between 1 and 2 threads");
        }
        finally { Parallelism.MaxThreads = saved; }
    }
}
