namespace Attend.Decoding;

/// <summary>
/// Bounds on the work one translation may ask for, so that no input or flag makes decoding run for minutes or
/// take gigabytes: the beam, the length penalty, the output length (a multiple of the source length) and the
/// source length in tokens (after tokenization and BPE). <c>attend translate --max-input-tokens</c> raises the last.
/// </summary>
internal static class SearchLimits
{
    /// <summary>Largest beam size (a beam of 100,000 takes minutes on one short sentence).</summary>
    public const int MaxBeam = 256;

    /// <summary>Largest GNMT length penalty α.</summary>
    public const double MaxAlpha = 10;

    /// <summary>Largest output length ratio: at most ⌈ratio · S⌉ + 10 target tokens.</summary>
    public const double MaxOutputRatio = 10;

    /// <summary>Default largest source length in tokens; every decoder step reads all S positions, so time grows as S².</summary>
    public const int DefaultMaxInputTokens = 1024;
}

/// <summary>A source longer than <see cref="SearchOptions.MaxInputTokens"/>: a user error naming the sentence and the limit.</summary>
internal sealed class InputTooLongException(string message) : ArgumentException(message);
