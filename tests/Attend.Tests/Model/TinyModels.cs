using Attend.Attention;
using Attend.Model;
using Attend.Nn;
using Attend.Tensors;

namespace Attend.Tests.Model;

/// <summary>Tiny random models and padded batches for the invariant and gradient tests.</summary>
internal static class TinyModels
{
    public static readonly AttentionKind[] AllKinds =
        [AttentionKind.None, AttentionKind.Bahdanau, AttentionKind.LuongDot, AttentionKind.LuongGeneral, AttentionKind.LuongConcat];

    public static ModelConfig Config(AttentionKind kind, RnnKind rnn = RnnKind.Gru, int vocab = 9, int emb = 5, int hidden = 6) => new()
    {
        SourceVocab = vocab, TargetVocab = vocab + 2, EmbeddingSize = emb, HiddenSize = hidden,
        AttentionSize = 5, Attention = kind, Rnn = rnn,
    };

    public static Seq2Seq Model(ModelConfig config, ulong seed = 7) => Seq2Seq.Create(config, seed);

    /// <summary>Random sentences of words 4.. with the given lengths.</summary>
    public static Seq2SeqBatch Batch(ModelConfig config, int[] srcLengths, int[] tgtLengths, ulong seed = 11)
    {
        var rng = new Rng(seed);
        int[] Sentence(int len, int vocab) => Enumerable.Range(0, len).Select(_ => rng.NextInt(4, vocab - 1)).ToArray();
        var src = srcLengths.Select(l => Sentence(l, config.SourceVocab)).ToList();
        var tgt = tgtLengths.Select(l => Sentence(l, config.TargetVocab)).ToList();
        return Seq2SeqBatch.FromPairs(src, tgt);
    }

    /// <summary>Sentence <paramref name="i"/> of a batch as a batch of one, without any padding.</summary>
    public static Seq2SeqBatch Row(Seq2SeqBatch b, int i)
    {
        int s = b.SourceLengths[i];
        int t = Enumerable.Range(0, b.TargetLength).Count(j => b.TargetOut[i * b.TargetLength + j] != 0);
        return new Seq2SeqBatch(1, s, t,
            b.Source.AsSpan(i * b.SourceLength, s).ToArray(), [s],
            b.TargetIn.AsSpan(i * b.TargetLength, t).ToArray(), b.TargetOut.AsSpan(i * b.TargetLength, t).ToArray());
    }
}
