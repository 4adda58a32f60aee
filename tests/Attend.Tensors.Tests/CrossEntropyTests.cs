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
}
