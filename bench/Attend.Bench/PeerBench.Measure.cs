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
    /// The rows each product of a training step runs over: real source tokens (recurrences of the encoder),
    /// rows of the encoder's input projection, scored decoder positions (decoder recurrence, per-step
    /// projections, Luong's W_c, output layer), (target, source) pairs a stepwise decoder scores and a
    /// whole-target Luong decoder weighs, rows of the plain model's fixed-context projection, and memory rows
    /// whose keys are projected.
    /// </summary>
    internal readonly record struct BatchWork(double SourceTokens, double EncoderInputRows, double Scored,
        double StepPairs, double WholePairs, double FixedContextRows, double KeyRows)
    {
        /// <summary>As Attend computes it: recurrences, per-step products, keys, Luong's W_c and the output layer
        /// over real tokens only, input projections over all [B, S] / [B, T] rows, the fixed context once per batch.</summary>
        public static BatchWork Attend(Seq2SeqBatch batch, int pad)
        {
            var tgt = Seq2SeqBatch.DecodingLengths(batch.TargetOut, batch.Batch, pad);
            double src = 0, scored = 0, step = 0, whole = 0;
            for (int b = 0; b < batch.Batch; b++)
            {
                src += batch.SourceLengths[b];
                scored += tgt[b];
                step += (double)tgt[b] * batch.SourceLengths[b];
                whole += (double)batch.TargetLength * batch.SourceLengths[b];
            }
            return new BatchWork(src, (double)batch.Batch * batch.SourceLength, scored, step, whole, batch.Batch, src);
        }

        /// <summary>As the PyTorch reference computes it: its packed encoder runs only the real source tokens (input
        /// projections included); its decoder runs all B·T positions against all S source positions, it projects
        /// the keys of all B·S memory rows, and the plain model projects its fixed context at every step.</summary>
        public static BatchWork Peer(Seq2SeqBatch batch)
        {
            double src = batch.SourceLengths.Sum(), bt = (double)batch.Batch * batch.TargetLength;
            return new BatchWork(src, src, bt, bt * batch.SourceLength, bt * batch.SourceLength, bt, (double)batch.Batch * batch.SourceLength);
        }
    }

    /// <summary>
    /// Multiply–add FLOPs (2 per multiply–add) of the matrix products of one training step over the rows
    /// <paramref name="w"/> says: forward, and twice that for the backward (gradients with respect to both
    /// operands). Attention scores and weighted sums are included; the element-wise work (cells, softmax,
    /// tanh) is not.
    /// </summary>
    internal static double TrainingFlops(ModelConfig c, int b, int s, int t, BatchWork w)
    {
        int e = c.EmbeddingSize, h = c.HiddenSize, v = c.TargetVocab, g = (c.Rnn == RnnKind.Gru ? 3 : 4) * h;
        int dm = c.MemorySize, a = c.AttentionSize, ctx = c.ContextSize;
        double bt = (double)b * t;
        double f = 2 * (2 * w.EncoderInputRows * e * g + 2 * w.SourceTokens * h * g); // encoder, both directions
        f += 2 * b * (2.0 * h) * h;                                      // bridge
        f += 2 * w.Scored * c.ReadoutSize * v;                           // output projection of the scored positions
        f += 2 * w.Scored * h * g;                                       // decoder recurrent
        f += 2 * bt * e * g;                                             // decoder input projection of the embeddings
        if (c.Attention == AttentionKind.Bahdanau) f += 2 * w.Scored * ctx * g; // ... and of each step's context
        if (c.Attention == AttentionKind.None) f += 2 * w.FixedContextRows * ctx * g; // ... of the fixed context
        switch (c.Attention)
        {
            case AttentionKind.Bahdanau:
                f += 2 * w.KeyRows * dm * a + 2 * w.Scored * h * a + 2 * w.StepPairs * a + 2 * w.StepPairs * dm;
                break;
            case AttentionKind.LuongDot:
                f += 2 * bt * s * dm + 2 * w.WholePairs * dm + 2 * w.Scored * (dm + h) * h;
                break;
            case AttentionKind.LuongGeneral:
                f += 2 * w.KeyRows * dm * h + 2 * bt * s * h + 2 * w.WholePairs * dm + 2 * w.Scored * (dm + h) * h;
                break;
            case AttentionKind.LuongConcat:
                f += 2 * w.KeyRows * dm * a + 2 * bt * h * a + 2 * w.WholePairs * a + 2 * w.WholePairs * dm + 2 * w.Scored * (dm + h) * h;
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

    /// <summary>Managed bytes allocated and collections per generation between Start and Stop (all threads).</summary>
    private sealed record HeapCounters(long Allocated, int[] Collections)
    {
        public static HeapCounters Start() => new(GC.GetTotalAllocatedBytes(precise: true), Counts());

        public (long Allocated, int[] Collections) Stop()
        {
            var now = Counts();
            for (int g = 0; g < now.Length; g++) now[g] -= Collections[g];
            return (GC.GetTotalAllocatedBytes(precise: true) - Allocated, now);
        }

        private static int[] Counts() => [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    }

    /// <summary>CPU seconds this process has used (all threads): on a shared machine a steadier figure than the wall clock.</summary>
    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static double Median(List<double> xs)
    {
        var v = xs.Order().ToList();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    /// <summary>VmHWM: the peak resident set of this process (the PyTorch reference reads ru_maxrss, the same figure).</summary>
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
