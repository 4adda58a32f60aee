using System.Text.Json.Serialization;

namespace Attend.Server.Translate;

/// <summary>One translation per input text, in order; the model that made them and the server time in milliseconds.</summary>
internal sealed record TranslateResponse(IReadOnlyList<Translation> Translations, string Model, double Ms);

/// <summary>
/// The best hypothesis of one text: attention rows are the target tokens [T] (with <c>&lt;/s&gt;</c> when
/// emitted), columns the source tokens [S], each row sums to 1 (null for a model without attention);
/// alignment links each content target token to its most-attended source token ("source-target", 0-based).
/// With nbest &gt; 1, <see cref="Nbest"/> lists every hypothesis, best first (the first is this one).
/// </summary>
internal sealed record Translation(string Text, string[] SourceTokens, string[] TargetTokens, float[][]? Attention, string Alignment, double Score,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Alternative>? Nbest = null);

/// <summary>One entry of an n-best list.</summary>
internal sealed record Alternative(string Text, string[] TargetTokens, float[][]? Attention, string Alignment, double Score);
