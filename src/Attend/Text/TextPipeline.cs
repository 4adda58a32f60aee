using Attend.Tensors;

namespace Attend.Text;

/// <summary>
/// The text path of one language, raw line → tokens → (BPE) subwords, and back: normalize, tokenize, segment;
/// then desegment and detokenize, so that translations come out as normal text.
/// </summary>
public sealed class TextPipeline(Normalizer normalizer, ITokenizer tokenizer, BpeSegmenter? bpe = null)
{
    public Normalizer Normalizer { get; } = normalizer;
    public ITokenizer Tokenizer { get; } = tokenizer;
    public BpeSegmenter? Bpe { get; } = bpe;

    /// <summary>Model tokens of a raw sentence; BPE-dropout (training only) when <paramref name="dropout"/> &gt; 0.</summary>
    public IReadOnlyList<string> Encode(string raw, double dropout = 0, Rng? rng = null)
    {
        var tokens = Tokenizer.Tokenize(Normalizer.Normalize(raw));
        return Bpe is null ? tokens : Bpe.Segment(tokens, dropout, rng);
    }

    /// <summary>Readable text from model tokens.</summary>
    public string Decode(IEnumerable<string> tokens) =>
        Tokenizer.Detokenize(Bpe is null ? tokens : BpeSegmenter.Desegment(tokens));
}
