namespace Attend.Text;

/// <summary>
/// How raw text becomes model tokens and back, as the run's <c>data</c> section says (shared by training and
/// translation): normalize, tokenize, then BPE-segment when the run has codes; back: desegment, detokenize.
/// </summary>
internal sealed class TextSide(TokenizerKind tokenizer, bool lowercase, BpeCodes? bpe = null)
{
    /// <summary>The file name of a run's BPE codes, beside the vocabularies in every checkpoint.</summary>
    public const string CodesFile = "bpe.codes";

    private readonly Normalizer _normalizer = new(new NormalizerOptions(Lowercase: lowercase));
    private readonly ITokenizer _tokenizer = Tokenizers.Create(tokenizer);
    private readonly BpeSegmenter? _segmenter = bpe is null ? null : new BpeSegmenter(bpe);

    /// <summary>The run's BPE codes (null without BPE).</summary>
    public BpeCodes? Bpe { get; } = bpe;

    /// <summary>Word (or char) tokens before BPE.</summary>
    public string[] Words(string text) => _tokenizer.Tokenize(_normalizer.Normalize(text));

    /// <summary>Model tokens: words, segmented into subwords when the run has BPE codes.</summary>
    public string[] Tokenize(string text)
    {
        var words = Words(text);
        return _segmenter is null ? words : [.. _segmenter.Segment(words)];
    }

    public string Detokenize(IEnumerable<string> tokens) =>
        _tokenizer.Detokenize(_segmenter is null ? tokens : BpeSegmenter.Desegment(tokens));
}
