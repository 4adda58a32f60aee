// One translated text as a library user sees it: the output, the tokens on both sides, attention and scores.
namespace Attend;

/// <summary>
/// One hypothesis for one input text. Tokens are model tokens: after the run's normalization and tokenizer,
/// and BPE subwords when the run uses BPE. Immutable once returned; safe to read from any thread.
/// </summary>
public sealed class Translation
{
    /// <summary>The end-of-sentence token that closes <see cref="TargetTokens"/> when the decoder emitted it.</summary>
    public const string EndOfSentence = "</s>";

    /// <summary>The translation as text: the target tokens joined back (BPE undone, detokenized), no EOS.</summary>
    public required string Text { get; init; }

    /// <summary>The source tokens [S] the model read (empty when the input had none).</summary>
    public required IReadOnlyList<string> SourceTokens { get; init; }

    /// <summary>
    /// The target tokens [T] the decoder produced, ending with <see cref="EndOfSentence"/> when it emitted it
    /// (always, unless the length limit of <see cref="TranslateOptions.MaxOutputRatio"/> cut the output).
    /// </summary>
    public required IReadOnlyList<string> TargetTokens { get; init; }

    /// <summary>
    /// Attention weights [T][S]: row t is the distribution over <see cref="SourceTokens"/> the decoder used when it
    /// produced <c>TargetTokens[t]</c> (the <c>&lt;/s&gt;</c> row included), so each row sums to 1. An ensemble gives
    /// the weights of its first member with attention. Null when no model has attention, or when
    /// <see cref="TranslateOptions.IncludeAttention"/> is false.
    /// </summary>
    public float[][]? Attention { get; init; }

    /// <summary>
    /// The score the search ranked by: <see cref="LogProbability"/> divided by the length penalty
    /// (<see cref="TranslateOptions.Alpha"/>) in beam search; equal to it in greedy search. Higher is better.
    /// </summary>
    public double Score { get; init; }

    /// <summary>Natural log of the model's probability of <see cref="TargetTokens"/> (EOS included); ≤ 0.</summary>
    public double LogProbability { get; init; }

    /// <summary>
    /// Hard alignment in Pharaoh format, "source-target" index pairs (0-based) separated by spaces: each target token
    /// but <c>&lt;/s&gt;</c> linked to its most-attended source token. Empty when the model has no attention.
    /// </summary>
    public string Alignment { get; init; } = "";

    /// <summary>The translation of an input without tokens: empty text and tokens, no attention, score 0.</summary>
    internal static Translation Empty() => new() { Text = "", SourceTokens = [], TargetTokens = [], Attention = null };

    /// <inheritdoc />
    public override string ToString() => Text;
}
