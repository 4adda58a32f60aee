// The search settings of one TranslationModel call; every unset value falls back to the run's testing section.
using Attend.Config;
using Attend.Decoding;

namespace Attend;

/// <summary>
/// How <see cref="TranslationModel"/> searches. A null property takes the value of the run's <c>testing</c>
/// section in its <c>config.yaml</c> (see <see cref="TranslationModel.Defaults"/>). Immutable; one instance may be
/// shared by any number of threads.
/// </summary>
public sealed record TranslateOptions
{
    /// <summary>Beam size, 1 = greedy search; at least 1. Null: the run's <c>testing.beam_size</c>.</summary>
    public int? Beam { get; init; }

    /// <summary>
    /// GNMT length penalty α (Wu et al. 2016): a beam hypothesis of length |Y| (counting <c>&lt;/s&gt;</c>) is
    /// ranked by log P / ((5 + |Y|) / 6)^α. 0 ranks by raw log-probability; must be finite and ≥ 0. Greedy search
    /// ignores it. Null: the run's <c>testing.alpha</c>.
    /// </summary>
    public double? Alpha { get; init; }

    /// <summary>
    /// Hypotheses returned per input by
    /// <see cref="TranslationModel.TranslateNBest(IReadOnlyList{string}, TranslateOptions?)"/>, 1..<see cref="Beam"/>;
    /// <see cref="TranslationModel.Translate(string, TranslateOptions?)"/> returns only the best and does not read it.
    /// Default 1.
    /// </summary>
    public int NBest { get; init; } = 1;

    /// <summary>
    /// Output length limit as a multiple of the source length: at most ⌈ratio · S⌉ + 10 target tokens for a source
    /// of S tokens; must be &gt; 0. Null: the run's <c>testing.max_output_ratio</c>.
    /// </summary>
    public double? MaxOutputRatio { get; init; }

    /// <summary>
    /// Sentences decoded together in one padded batch: a speed setting. The padding of a batch changes a
    /// sentence's scores only by float rounding (about 1e-7 relative), so its translation only at a near-tie.
    /// Null: the run's <c>testing.batch_size</c>.
    /// </summary>
    public int? BatchSize { get; init; }

    /// <summary>
    /// Replace every <c>&lt;unk&gt;</c> in the output (text and target tokens) by the source token it attended to
    /// most; needs a model with attention. Default false.
    /// </summary>
    public bool ReplaceUnknowns { get; init; }

    /// <summary>Return <see cref="Translation.Attention"/> (default true); false leaves it null.</summary>
    public bool IncludeAttention { get; init; } = true;

    /// <summary>
    /// Longest text the model decodes, in source tokens (<see cref="TranslationModel.Tokenize"/>); a longer one is an
    /// <see cref="ArgumentException"/> naming it, since every decoder step reads all S source positions, so time
    /// grows as S². At least 1. Null: 1024.
    /// </summary>
    public int? MaxInputTokens { get; init; }

    /// <summary>The search these options ask for over a run's <paramref name="testing"/> section.</summary>
    /// <exception cref="ArgumentOutOfRangeException">a value is out of range; ParamName is the property</exception>
    internal SearchOptions Resolve(TestingConfig testing, bool nbest)
    {
        int beam = Beam ?? testing.BeamSize;
        if (beam < 1) throw new ArgumentOutOfRangeException(nameof(Beam), beam, "Beam: expected 1 or more");
        double alpha = Alpha ?? testing.Alpha;
        if (!(alpha >= 0) || double.IsInfinity(alpha))
            throw new ArgumentOutOfRangeException(nameof(Alpha), alpha, "Alpha: expected a finite value ≥ 0");
        double ratio = MaxOutputRatio ?? testing.MaxOutputRatio;
        if (!(ratio > 0) || double.IsInfinity(ratio))
            throw new ArgumentOutOfRangeException(nameof(MaxOutputRatio), ratio, "MaxOutputRatio: expected a finite value > 0");
        int batch = BatchSize ?? testing.BatchSize;
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), batch, "BatchSize: expected 1 or more");
        if (nbest && (NBest < 1 || NBest > beam))
            throw new ArgumentOutOfRangeException(nameof(NBest), NBest, $"NBest: expected 1..Beam ({beam})");
        int maxInput = MaxInputTokens ?? SearchLimits.DefaultMaxInputTokens;
        if (maxInput < 1) throw new ArgumentOutOfRangeException(nameof(MaxInputTokens), maxInput, "MaxInputTokens: expected 1 or more");
        return new SearchOptions(beam, alpha, ratio, nbest ? NBest : 1, batch, maxInput);
    }
}
