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
    /// What one batch asks of the products: real source tokens (Σ source lengths), scored target positions
    /// (Σ target lengths), and the (target position, real source position) pairs a stepwise decoder scores
    /// (Σ_b tgtLen_b · srcLen_b) and a whole-target Luong decoder weighs (Σ_b T · srcLen_b).
    /// </summary>
    internal readonly record struct BatchWork(double SourceTokens, double Scored, double StepPairs, double WholePairs)
    {
        public static BatchWork Of(Seq2SeqBatch batch, int pad)
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
            return new BatchWork(src, scored, step, whole);
        }
    }

    /// <summary>
    /// Multiply–add FLOPs (2 per multiply–add) of the matrix products of one training step as Attend
    /// computes it: forward, and twice that for the backward (gradients with respect to both operands).
    /// Attention scores and weighted sums are included; the element-wise work (cells, softmax, tanh) is
    /// not. Attend's recurrences step only the sentences that have a token (the encoder's real source
    /// tokens, the decoder's scored positions), the output layer projects only the scored positions, the
    /// stepwise decoders score only real (target, source) pairs, the input projections run over all
    /// [B, S] / [B, T] rows, and without attention the fixed context is projected once per batch.
    /// </summary>
    internal static double TrainingFlops(ModelConfig c, int b, int s, int t, BatchWork w)
    {
        int e = c.EmbeddingSize, h = c.HiddenSize, v = c.TargetVocab, g = (c.Rnn == RnnKind.Gru ? 3 : 4) * h;
        int dm = c.MemorySize, a = c.AttentionSize, ctx = c.ContextSize;
        double bs = (double)b * s, bt = (double)b * t;
        double f = 2 * (2 * bs * e * g + 2 * w.SourceTokens * h * g);    // encoder, both directions
        f += 2 * b * (2.0 * h) * h;                                      // bridge
        f += 2 * w.Scored * c.ReadoutSize * v;                           // output projection of the scored positions
        f += 2 * w.Scored * h * g;                                       // decoder recurrent
        f += 2 * bt * e * g;                                             // decoder input projection of the embeddings
        if (c.Attention == AttentionKind.Bahdanau) f += 2 * w.Scored * ctx * g; // ... and of each step's context
        if (c.Attention == AttentionKind.None) f += 2 * b * ctx * g;     // ... of the fixed context, once per batch
        switch (c.Attention)
        {
            case AttentionKind.Bahdanau:
                f += 2 * bs * dm * a + 2 * w.Scored * h * a + 2 * w.StepPairs * a + 2 * w.StepPairs * dm;
                break;
            case AttentionKind.LuongDot:
                f += 2 * bt * s * dm + 2 * w.WholePairs * dm + 2 * bt * (dm + h) * h;
                break;
            case AttentionKind.LuongGeneral:
                f += 2 * bs * dm * h + 2 * bt * s * h + 2 * w.WholePairs * dm + 2 * bt * (dm + h) * h;
                break;
            case AttentionKind.LuongConcat:
                f += 2 * bs * dm * a + 2 * bt * h * a + 2 * w.WholePairs * a + 2 * w.WholePairs * dm + 2 * bt * (dm + h) * h;
                break;
        }
        return 3 * f;
    }

    /// <summary>
    /// The same products as the PyTorch peer computes them: its packed encoder runs only the real source
    /// tokens (input projections included); its decoder runs every one of the B·T positions, scores all S
    /// source positions, projects the fixed context of the plain model at every step and all B·T
    /// positions onto the vocabulary.
    /// </summary>
    internal static double PeerTrainingFlops(ModelConfig c, int b, int s, int t, BatchWork w)
    {
        int e = c.EmbeddingSize, h = c.HiddenSize, v = c.TargetVocab, g = (c.Rnn == RnnKind.Gru ? 3 : 4) * h;
        int dm = c.MemorySize, a = c.AttentionSize, ctx = c.ContextSize;
        double bs = (double)b * s, bt = (double)b * t, pairs = bt * s;
        double f = 2 * (2 * w.SourceTokens * e * g + 2 * w.SourceTokens * h * g);
        f += 2 * b * (2.0 * h) * h;
        f += 2 * bt * c.ReadoutSize * v;
        f += 2 * bt * h * g;
        f += 2 * bt * e * g;
        if (c.Attention is AttentionKind.Bahdanau or AttentionKind.None) f += 2 * bt * ctx * g;
        switch (c.Attention)
        {
            case AttentionKind.Bahdanau: f += 2 * bs * dm * a + 2 * bt * h * a + 2 * pairs * a + 2 * pairs * dm; break;
            case AttentionKind.LuongDot: f += 2 * pairs * dm + 2 * pairs * dm + 2 * bt * (dm + h) * h; break;
            case AttentionKind.LuongGeneral: f += 2 * bs * dm * h + 2 * pairs * h + 2 * pairs * dm + 2 * bt * (dm + h) * h; break;
            case AttentionKind.LuongConcat: f += 2 * bs * dm * a + 2 * bt * h * a + 2 * pairs * a + 2 * pairs * dm + 2 * bt * (dm + h) * h; break;
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
