using System.Diagnostics;
using System.Numerics.Tensors;
using Attend.Tensors;
using Attend.Tensors.Kernels;
using Tensor = Attend.Tensors.Tensor;

namespace Attend.Bench;

/// <summary>
/// `ops`: the element-wise driver at each SIMD width (ns per element), the fused cross-entropy and the
/// masked softmax at NMT sizes on 1 and 2 threads (ms per forward + backward), and the managed bytes
/// one such scoped step allocates.
/// </summary>
internal static class OpsBench
{
    public static int Run(string[] args)
    {
        if (args.Length > 0) { Console.Error.WriteLine($"ops: takes no options, got '{args[0]}'"); return 2; }
        var rng = new Rng(1);
        var rows = new List<string>();
        Console.WriteLine($"{"case",-44} {"best",10} {"median",10} unit");
        void Report(string name, (double Best, double Median) t, string unit)
        {
            Console.WriteLine($"{name,-44} {t.Best,10:F3} {t.Median,10:F3} {unit}");
            rows.Add($"{{\"case\":\"{name}\",\"best\":{t.Best:F4},\"median\":{t.Median:F4},\"unit\":\"{unit}\"}}");
        }

        foreach (int n in new[] { 4096, 1 << 20 })
        {
            float[] y = new float[n], dy = new float[n], acc = new float[n];
            rng.FillUniform(y, -0.99f, 0.99f);
            rng.FillNormal(dy, 0f, 1f);
            foreach (var w in new[] { SimdWidth.Scalar, SimdWidth.V256, SimdWidth.Auto })
                Report($"tanh' accumulate n={n} {w}", PerElement(n, () => Elementwise.Accumulate(y, dy, acc, new TanhGrad(), w)), "ns/elem");
            Report($"TensorPrimitives.MultiplyAdd n={n}", PerElement(n, () => TensorPrimitives.MultiplyAdd(y, dy, acc, acc)), "ns/elem");
        }

        // FloatMath against TensorPrimitives (which evaluates float exp/σ/tanh in double), side by side.
        {
            const int n = 4096;
            float[] x = new float[n], y = new float[n];
            rng.FillUniform(x, -8f, 8f);
            Report($"TensorPrimitives.Exp n={n}", PerElement(n, () => TensorPrimitives.Exp(x, y)), "ns/elem");
            Report($"FloatMath exp n={n}", PerElement(n, () => Elementwise.Map(x, y, new ExpOp())), "ns/elem");
            Report($"Vector512.Exp (BCL) through Elementwise n={n}", PerElement(n, () => Elementwise.Map(x, y, new BclExp())), "ns/elem");
            Report($"TensorPrimitives.Sigmoid n={n}", PerElement(n, () => TensorPrimitives.Sigmoid(x, y)), "ns/elem");
            Report($"FloatMath sigmoid n={n}", PerElement(n, () => Elementwise.Map(x, y, new SigmoidOp())), "ns/elem");
            Report($"TensorPrimitives.Tanh n={n}", PerElement(n, () => TensorPrimitives.Tanh(x, y)), "ns/elem");
            Report($"FloatMath tanh n={n}", PerElement(n, () => Elementwise.Map(x, y, new TanhOp())), "ns/elem");
        }

        // T·B = 1920 target positions over an 8000-word vocabulary; attention over S = 40 for B = 64, T = 30.
        var logits = Tensor.Parameter("logits", 1920, 8000);
        rng.FillNormal(logits.Data, 0f, 1f);
        var targets = new int[1920];
        for (int i = 0; i < targets.Length; i++) targets[i] = rng.NextInt(8000);
        var scores = Tensor.Parameter("scores", 64, 30, 40);
        rng.FillNormal(scores.Data, 0f, 1f);
        var mask = Tensor.Full(1f, 64, 40);
        for (int b = 0; b < 64; b++) mask.Data.Slice(b * 40 + 20 + b % 20, 20 - b % 20).Clear();
        int saved = Parallelism.MaxThreads;
        foreach (int threads in new[] { 1, 2 })
        {
            Parallelism.MaxThreads = threads;
            Report($"cross-entropy [1920, 8000] eps=0.1 {threads}T", Millis(() =>
            {
                using var scope = TensorScope.Begin();
                Ops.CrossEntropy(logits, targets, labelSmoothing: 0.1f).Backward();
            }), "ms");
        }
        Parallelism.MaxThreads = saved;
        Report("masked softmax [64, 30, 40]", Millis(() =>
        {
            using var scope = TensorScope.Begin();
            Ops.Sum(Ops.MaskedSoftmax(scores, mask)).Backward();
        }), "ms");

        long before = GC.GetAllocatedBytesForCurrentThread();
        using (TensorScope.Begin())
            Ops.CrossEntropy(logits, targets, labelSmoothing: 0.1f).Backward();
        long ceBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine($"managed bytes of one scoped cross-entropy fwd+bwd [1920, 8000] (this thread): {ceBytes}");
        Console.WriteLine($"{{\"ops\":[{string.Join(",", rows)}],\"cross_entropy_alloc_bytes\":{ceBytes}}}");
        return 0;
    }

    private static (double, double) PerElement(int n, Action a)
    {
        int reps = Math.Max(1, (1 << 22) / n);
        var (best, median) = Time(() => { for (int i = 0; i < reps; i++) a(); }, 15);
        return (best * 1e6 / ((double)reps * n), median * 1e6 / ((double)reps * n));
    }

    private static (double, double) Millis(Action a) => Time(a, 9);

    /// <summary>Milliseconds: fastest and median of timed runs after a warm-up (the machine is shared; best is the honest figure).</summary>
    private static (double Best, double Median) Time(Action a, int runs)
    {
        for (int i = 0; i < 3; i++) a();
        var t = new double[runs];
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            a();
            t[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(t);
        return (t[0], t[runs / 2]);
    }
}

/// <summary>The BCL's Vector512/Vector256.Exp, which the operators used before FloatMath (for comparison).</summary>
internal readonly struct BclExp : Attend.Tensors.Kernels.IUnaryOperator
{
    public float Invoke(float x) => MathF.Exp(x);
    public System.Runtime.Intrinsics.Vector256<float> Invoke(System.Runtime.Intrinsics.Vector256<float> x) => System.Runtime.Intrinsics.Vector256.Exp(x);
    public System.Runtime.Intrinsics.Vector512<float> Invoke(System.Runtime.Intrinsics.Vector512<float> x) => System.Runtime.Intrinsics.Vector512.Exp(x);
}
