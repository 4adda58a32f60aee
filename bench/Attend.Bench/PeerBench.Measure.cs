using System.Diagnostics;
using System.Globalization;
using Attend.Attention;
using Attend.Model;
using Attend.Nn;

namespace Attend.Bench;

// The measuring side of `peer`: phase timers, the FLOP count of a training step, medians, CPU time,
// resident memory and the hypervisor's steal time, kept apart from the model and the flags.
internal static partial class PeerBench
{
    private sealed class PhaseTimes
    {
        public readonly List<double> Forward = [], Backward = [], Optimizer = [];
        public void Add(double f, double b, double o) { Forward.Add(f); Backward.Add(b); Optimizer.Add(o); }
    }

    /// <summary>
    /// Multiply–add FLOPs (2 per multiply–add) of the matrix products of one training step on padded
    /// [B, S] / [B, T] (what both implementations compute): forward, and twice that for the backward
    /// (gradients with respect to both operands). Attention scores and weighted sums are included; the
    /// element-wise work (cells, softmax, tanh) is not. Counted as Attend computes it: without attention
    /// the fixed context is projected once per batch, not once per step as the peer does, and the output
    /// layer projects only the <paramref name="scored"/> non-pad target positions (the peer all B·T).
    /// </summary>
    internal static double TrainingFlops(ModelConfig c, int b, int s, int t, long scored)
    {
        int e = c.EmbeddingSize, h = c.HiddenSize, v = c.TargetVocab, g = (c.Rnn == RnnKind.Gru ? 3 : 4) * h;
        int dm = c.MemorySize, a = c.AttentionSize, ctx = c.ContextSize;
        double bs = (double)b * s, bt = (double)b * t;
        double f = 2 * (2 * bs * e * g + 2 * bs * h * g);                 // encoder, both directions
        f += 2 * b * (2.0 * h) * h;                                      // bridge
        f += 2.0 * scored * c.ReadoutSize * v;                           // output projection of the scored positions
        f += 2 * bt * h * g;                                             // decoder recurrent
        f += 2 * bt * e * g;                                             // decoder input projection of the embeddings
        if (c.Attention == AttentionKind.Bahdanau) f += 2 * bt * ctx * g; // ... and of each step's context
        if (c.Attention == AttentionKind.None) f += 2 * b * ctx * g;     // ... of the fixed context, once per batch
        double scoreAndSum = 2 * bt * s * dm;                            // weighted sum of memory
        switch (c.Attention)
        {
            case AttentionKind.Bahdanau:
                f += 2 * bs * dm * a + 2 * bt * h * a + 2 * bt * s * a + scoreAndSum;
                break;
            case AttentionKind.LuongDot:
                f += 2 * bt * s * dm + scoreAndSum + 2 * bt * (dm + h) * h;
                break;
            case AttentionKind.LuongGeneral:
                f += 2 * bs * dm * h + 2 * bt * s * h + scoreAndSum + 2 * bt * (dm + h) * h;
                break;
            case AttentionKind.LuongConcat:
                f += 2 * bs * dm * a + 2 * bt * h * a + 2 * bt * s * a + scoreAndSum + 2 * bt * (dm + h) * h;
                break;
        }
        return 3 * f;
    }

    private static List<double> Timed(Action fn, int reps)
    {
        var ts = new List<double>(reps);
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            fn();
            ts.Add(sw.Elapsed.TotalSeconds);
        }
        return ts;
    }

    /// <summary>CPU seconds this process has used (all threads): on a shared machine a steadier figure than the wall clock.</summary>
    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static double Median(List<double> xs)
    {
        var v = xs.Order().ToList();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    /// <summary>VmHWM: the peak resident set of this process (the peer reads ru_maxrss, the same figure).</summary>
    private static double PeakRssMb() => StatusKb("VmHWM:") / 1024.0;

    private static double CurrentRssMb() => StatusKb("VmRSS:") / 1024.0;

    private static long StatusKb(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return 0;
    }

    private static (long Steal, long Total) HostSteal()
    {
        var v = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        return (v[7], v.Take(8).Sum());
    }
}
