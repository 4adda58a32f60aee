using System.Diagnostics;
using Attend.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Bench;

/// <summary>
/// `cells`: the fused GRU/LSTM gate kernels (the element-wise part of a step, without the GEMMs) in
/// ns per step and GB/s of gate data touched, and the managed bytes one whole scoped training step
/// (forward + backward of both cells, GEMMs included) allocates.
/// </summary>
internal static class CellsBench
{
    public static int Run(string[] args)
    {
        int batch = 64, hidden = 512;
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--batch") batch = int.Parse(args[i + 1]);
            else if (args[i] == "--hidden") hidden = int.Parse(args[i + 1]);
            else { Console.Error.WriteLine($"cells: unknown option '{args[i]}' (options: --batch B --hidden H)"); return 2; }
        }
        var rng = new Random(1);
        float[] R(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1); return a; }
        int s = batch * hidden;
        float[] gx3 = R(3 * s), gh3 = R(3 * s), g3 = new float[4 * s], d3a = new float[3 * s], d3b = new float[3 * s];
        float[] gates4 = R(4 * s), pre4 = R(4 * s), d4 = new float[4 * s];
        float[] h = R(s), c = R(s), y = new float[s], c2 = new float[s], tc = new float[s], dy = R(s), dc = new float[s], dh = new float[s];

        Console.WriteLine($"cells: B={batch} H={hidden}, Vector<float>.Count={System.Numerics.Vector<float>.Count}");
        Console.WriteLine($"{"kernel",-16} {"best us",10} {"median us",10} {"best GB/s",10}");
        var rows = new List<string>();
        void Report(string name, (double Best, double Median) t, long bytes)
        {
            Console.WriteLine($"{name,-16} {t.Best,10:F2} {t.Median,10:F2} {bytes / (t.Best * 1e3),10:F1}");
            rows.Add($"{{\"kernel\":\"{name}\",\"batch\":{batch},\"hidden\":{hidden},\"best_us\":{t.Best:F3},\"median_us\":{t.Median:F3}}}");
        }
        Report("gru.forward", Time(() => GruCellKernel.Forward(gx3, gh3, h, g3, y, batch, hidden)), 4L * (10 * s + 2 * s));
        Report("gru.backward", Time(() => GruCellKernel.Backward(dy, g3, h, d3a, d3b, dh, batch, hidden)), 4L * (4 * s + 2 * s + 6 * s + s));
        Report("lstm.forward", Time(() =>
        {
            pre4.CopyTo(gates4, 0); // the kernel activates in place
            LstmCellKernel.Forward(gates4, c, c2, tc, y, batch, hidden);
        }), 4L * (8 * s + 4 * s));
        Report("lstm.backward", Time(() => LstmCellKernel.Backward(dy, dc, gates4, c, c2, d4, dh, batch, hidden)), 4L * (4 * s + 5 * s + 4 * s));

        long stepBytes = AllocatedPerTrainingStep(Math.Min(batch, 16), Math.Min(hidden, 128));
        Console.WriteLine($"managed bytes per scoped training step (B={Math.Min(batch, 16)} H={Math.Min(hidden, 128)}, 10 GRU + 10 LSTM steps, fwd+bwd): {stepBytes}");
        Console.WriteLine($"{{\"cells\":[{string.Join(",", rows)}],\"step_alloc_bytes\":{stepBytes}}}");
        return 0;
    }

    /// <summary>
    /// Microseconds per call: the fastest of 41 short timed batches after a warm-up. This machine is
    /// shared, so the minimum (a batch that ran without being preempted) is the honest figure; the
    /// median is printed too so the noise is visible.
    /// </summary>
    private static (double Best, double Median) Time(Action step)
    {
        for (int i = 0; i < 50; i++) step();
        var sw = Stopwatch.StartNew();
        int n = 0;
        // do-while: a preempted thread can see 2 ms pass before the first call, and n must not be 0.
        do { step(); n++; } while (sw.Elapsed.TotalMilliseconds < 2);
        var times = new double[41];
        for (int r = 0; r < times.Length; r++)
        {
            sw.Restart();
            for (int i = 0; i < n; i++) step();
            times[r] = sw.Elapsed.TotalMicroseconds / n;
        }
        Array.Sort(times);
        return (times[0], times[times.Length / 2]);
    }

    private static long AllocatedPerTrainingStep(int batch, int hidden)
    {
        var rng = new Random(2);
        Tensor P(int rows, int cols)
        {
            var t = Tensor.Parameter("w", rows, cols);
            for (int i = 0; i < t.Length; i++) t.Data[i] = (float)((rng.NextDouble() * 2 - 1) / Math.Sqrt(hidden));
            return t;
        }
        Tensor wg = P(3 * hidden, hidden), wl = P(4 * hidden, hidden);
        var bg = Tensor.Parameter("b", 3 * hidden);
        var bl = Tensor.Parameter("b", 4 * hidden);
        var gx3 = new float[batch * 3 * hidden];
        var gx4 = new float[batch * 4 * hidden];
        var seed = new float[batch * hidden];
        Array.Fill(seed, 1f);
        void Step()
        {
            using var scope = TensorScope.Begin();
            var h = Tensor.Zeros(batch, hidden);
            Tensor hl = h, cl = h;
            for (int t = 0; t < 10; t++)
            {
                h = Ops.GruCell(Tensor.FromArray(gx3, batch, 3 * hidden), h, wg, bg);
                (hl, cl) = Ops.LstmCell(Tensor.FromArray(gx4, batch, 4 * hidden), hl, cl, wl, bl);
            }
            Ops.Add(h, hl).Backward(Tensor.FromArray(seed, batch, hidden));
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
