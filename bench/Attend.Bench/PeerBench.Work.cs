using System.Globalization;
using Attend.Attention;
using Attend.Model;
using Attend.Nn;

namespace Attend.Bench;

// `peer --list-work`: the work Attend's decoding does per sentence, for reading each decoding goal against this
// machine's ceilings (bench/compare-with-pytorch.sh: the GFLOP/s or GB/s a goal asks for).
internal static partial class PeerBench
{
    /// <summary>The PyTorch reference's mean source length (uniform in 8..30).</summary>
    private const double MeanSource = 19;

    /// <summary>
    /// `--list-work`: "config attention cell greedy_gflop beam_gflop beam1_mb" for every combination: the matrix
    /// products of one sentence's greedy decoding and of its batched beam search (GFLOP, <paramref name="a"/>'s
    /// --max-len steps and --beam), and the weights beam search with batch 1 streams for one sentence (MB), with
    /// the PyTorch reference's mean source length. Element-wise work is not counted, as in the training count.
    /// </summary>
    private static int ListWork(Args a)
    {
        foreach (var c in Configs.Keys)
            foreach (var cell in new[] { "gru", "lstm" })
                foreach (var att in Attentions)
                {
                    var cfg = MakeConfig(new Args { Config = c, Attention = att, Cell = cell, Memory = a.Memory, Readout = a.Readout });
                    double greedy = DecodingFlops(cfg, rowsPerSentence: 1, a.MaxLen) / 1e9;
                    double beam = DecodingFlops(cfg, a.Beam, a.MaxLen) / 1e9;
                    double mb = StreamedWeights(cfg, a.MaxLen) * sizeof(float) / 1e6;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c} {att} {cell} {greedy:F4} {beam:F4} {mb:F1}"));
                }
        return 0;
    }

    /// <summary>
    /// FLOPs (2 per multiply–add) of the products of decoding one sentence as Attend does it: the encoder over the
    /// real tokens, the keys (and for Bahdanau the projected memory, W_c m) once, then <paramref name="steps"/>
    /// steps of <paramref name="rowsPerSentence"/> rows (1 for greedy, K for beam search).
    /// </summary>
    internal static double DecodingFlops(ModelConfig c, int rowsPerSentence, int steps)
    {
        int e = c.EmbeddingSize, h = c.HiddenSize, v = c.TargetVocab, g = (c.Rnn == RnnKind.Gru ? 3 : 4) * h;
        int dm = c.MemorySize, a = c.AttentionSize, s = (int)MeanSource;
        double once = MeanSource * 2 * (2.0 * e * g + 2.0 * h * g) + 2.0 * c.LastStateSize * h; // encoder, bridge
        double row = 2.0 * c.ReadoutSize * v + 2.0 * h * g + 2.0 * e * g;                    // output, W_hh h, W_e e
        switch (c.Attention)
        {
            case AttentionKind.None:
                once += 2.0 * c.ContextSize * g; // W_c·last, once per sentence
                break;
            case AttentionKind.Bahdanau:
                once += MeanSource * (2.0 * dm * a + 2.0 * dm * g); // keys U m, projected memory W_c m
                row += 2.0 * h * a + 2.0 * s * a + 2.0 * s * g;     // W s, vᵀ tanh(…), Σ α (W_c m)
                break;
            case AttentionKind.LuongDot:
                row += 2.0 * s * dm + 2.0 * s * dm + 2.0 * (dm + h) * h; // scores, context, W_c [c; h]
                break;
            case AttentionKind.LuongGeneral:
                once += MeanSource * 2.0 * dm * h;
                row += 2.0 * s * h + 2.0 * s * dm + 2.0 * (dm + h) * h;
                break;
            case AttentionKind.LuongConcat:
                once += MeanSource * 2.0 * dm * a;
                row += 2.0 * h * a + 2.0 * s * a + 2.0 * s * dm + 2.0 * (dm + h) * h;
                break;
        }
        return once + (double)rowsPerSentence * steps * row;
    }

    /// <summary>
    /// Floats of weights that beam search with batch 1 reads for one sentence: each step reads every decoder weight
    /// it multiplies by (a few rows against each, so the weights, not the arithmetic, set the time), each encoder
    /// step each direction's W_hh, and the input projections, keys and projected memory once.
    /// </summary>
    internal static double StreamedWeights(ModelConfig c, int steps)
    {
        int e = c.EmbeddingSize, h = c.HiddenSize, v = c.TargetVocab, g = (c.Rnn == RnnKind.Gru ? 3 : 4) * h;
        int dm = c.MemorySize, a = c.AttentionSize;
        double once = MeanSource * 2.0 * h * g + 2.0 * e * g + c.LastStateSize * h;
        double step = (double)c.ReadoutSize * v + (double)h * g + (double)e * g;
        switch (c.Attention)
        {
            case AttentionKind.None: once += (double)c.ContextSize * g; break;
            case AttentionKind.Bahdanau: once += (double)dm * a + (double)dm * g; step += (double)h * a; break;
            case AttentionKind.LuongDot: step += (double)(dm + h) * h; break;
            case AttentionKind.LuongGeneral: once += (double)dm * h; step += (double)(dm + h) * h; break;
            case AttentionKind.LuongConcat: once += (double)dm * a; step += (double)h * a + (double)(dm + h) * h; break;
        }
        return once + steps * step;
    }
}
