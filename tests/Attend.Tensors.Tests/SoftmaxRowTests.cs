using Attend.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests;

/// <summary>The softmax row kernels against their naive double references at every row length 0..257
/// (0 for the kernels that take an empty row; cross-entropy needs a target). Every backward adds into
/// its destination, so destinations start with random values.</summary>
public class SoftmaxRowTests
{
    private static void Close(double expected, float actual, string where)
    {
        if (Math.Abs(expected - actual) <= 2e-6 + 2e-5 * Math.Abs(expected)) return;
        Assert.Fail($"{where}: expected {expected:G9}, got {actual:G9}");
    }

    [Fact]
    public void Softmax_and_masked_softmax_forward_and_backward()
    {
        var rng = new Rng(21);
        for (int n = 0; n <= 257; n++)
            foreach (bool masked in new[] { false, true })
            {
                var x = new float[n];
                var dy = new float[n];
                var mask = new float[n];
                rng.FillNormal(x, 0f, 3f);
                rng.FillNormal(dy, 0f, 1f);
                for (int i = 0; i < n; i++) mask[i] = masked ? rng.NextInt(3) == 0 ? 0 : 1 : 1;
                var y = new float[n];
                var dx = new float[n];
                rng.FillNormal(dx, 0f, 1f);
                var dx0 = dx.ToArray();
                if (masked)
                {
                    SoftmaxRow.MaskedForward(x, mask, y);
                    SoftmaxRow.MaskedBackward(y, dy, mask, dx);
                }
                else
                {
                    SoftmaxRow.Forward(x, y);
                    SoftmaxRow.Backward(y, dy, dx);
                }
                var ey = SoftmaxReference.Forward(x, mask);
                var edx = SoftmaxReference.Backward(ey, dy, mask);
                for (int i = 0; i < n; i++)
                {
                    Close(ey[i], y[i], $"forward n={n} masked={masked} i={i}");
                    Close(dx0[i] + edx[i], dx[i], $"backward n={n} masked={masked} i={i}");
                    if (mask[i] == 0) { Assert.Equal(0f, y[i]); Assert.Equal(dx0[i], dx[i]); }
                }
            }
    }

    [Fact]
    public void Log_softmax_and_cross_entropy_rows()
    {
        var rng = new Rng(22);
        for (int n = 0; n <= 257; n++)
        {
            var x = new float[n];
            rng.FillNormal(x, 0f, 3f);
            var y = new float[n];
            SoftmaxRow.LogForward(x, y);
            var ey = SoftmaxReference.LogForward(x);
            for (int i = 0; i < n; i++) Close(ey[i], y[i], $"log-softmax n={n} i={i}");

            // Log-softmax backward from its output: dx_i += dy_i − softmax_i·Σ_j dy_j.
            var dy = new float[n];
            rng.FillNormal(dy, 0f, 1f);
            var dl = new float[n];
            rng.FillNormal(dl, 0f, 1f);
            var dl0 = dl.ToArray();
            SoftmaxRow.LogBackward(y, dy, dl);
            double dySum = 0;
            foreach (var v in dy) dySum += v;
            for (int i = 0; i < n; i++) Close(dl0[i] + dy[i] - Math.Exp(ey[i]) * dySum, dl[i], $"log-softmax backward n={n} i={i}");
            if (n == 0) continue;

            int t = rng.NextInt(n);
            const float eps = 0.1f;
            double loss = SoftmaxRow.CrossEntropy(x, t, eps, out float lse);
            double expected = (1 - eps) * -ey[t] + eps * -ey.Average();
            Close(expected, (float)loss, $"cross-entropy n={n}");
            var dx = new float[n];
            rng.FillNormal(dx, 0f, 1f);
            var dx0 = dx.ToArray();
            SoftmaxRow.CrossEntropyBackward(x, t, eps, lse, 0.5f, dx);
            for (int i = 0; i < n; i++)
                Close(dx0[i] + 0.5 * (Math.Exp(ey[i]) - ((i == t ? 1 - eps : 0) + eps / n)), dx[i], $"cross-entropy grad n={n} i={i}");
        }
    }
}
