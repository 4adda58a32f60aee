using Attend.Model;
using Attend.Text;

namespace Attend.Decoding;

/// <summary>How decoded ids become text: unknown-word replacement, tokens instead of detokenized text.</summary>
internal sealed record TextOptions(bool ReplaceUnknowns = false, bool RawTokens = false);

/// <summary>
/// One hypothesis as text: the output, the source tokens [S], the target tokens [T] (with <c>&lt;/s&gt;</c> when
/// the decoder emitted it, so each token has its attention row), attention [T, S] (null without attention),
/// Pharaoh links of the content tokens, and the search score.
/// </summary>
internal sealed record TextHypothesis(string Text, string[] SourceTokens, string[] TargetTokens, float[,]? Attention,
    string Alignment, double Score, double LogProb)
{
    /// <summary>The attention as one array per target token, <c>[T][S]</c> (null without attention), as JSON and callers read it.</summary>
    public float[][]? AttentionRows()
    {
        if (Attention is not { } m) return null;
        var rows = new float[m.GetLength(0)][];
        for (int t = 0; t < rows.Length; t++)
        {
            rows[t] = new float[m.GetLength(1)];
            for (int s = 0; s < rows[t].Length; s++) rows[t][s] = m[t, s];
        }
        return rows;
    }
}

/// <summary>
/// Raw text → tokens → ids → <see cref="Translator"/> → text, for a loaded run. The one translation pipeline
/// that <c>attend translate</c>, <c>attend plot attention --model</c> and <c>attend serve</c> share.
/// </summary>
internal static class TextTranslator
{
    public const string EndOfSentence = "</s>";

    /// <summary>The source tokens of a line, as the run's data section tokenizes them.</summary>
    public static string[] Tokenize(ITextModel m, string line) => m.Text.Tokenize(line);

    /// <summary>
    /// Translates already tokenized sources with <paramref name="models"/> (one model, or an ensemble sharing m's
    /// vocabularies). A source without tokens is not decoded: its one hypothesis is empty (an empty line translates to
    /// an empty line, not to what the model makes of nothing). A source longer than
    /// <see cref="SearchOptions.MaxInputTokens"/> is an <see cref="InputTooLongException"/>.
    /// </summary>
    public static List<TextHypothesis[]> Translate(ITextModel m, IReadOnlyList<Seq2Seq> models, IReadOnlyList<string[]> sources,
        SearchOptions search, TextOptions? text = null)
    {
        text ??= new TextOptions();
        for (int i = 0; i < sources.Count; i++) CheckLength(sources[i], search, $"sentence {i + 1}");
        var side = m.Text;
        var decoded = Enumerable.Range(0, sources.Count).Where(i => sources[i].Length > 0).ToList();
        var results = Translator.Decode(models, decoded.Select(i => m.SourceVocab.Encode(sources[i])).ToList(), search);
        var output = sources.Select(_ => new[] { Empty(m) }).ToList();
        for (int k = 0; k < decoded.Count; k++)
            output[decoded[k]] = results[k].Select(h => ToText(m, side, sources[decoded[k]], h, text)).ToArray();
        return output;
    }

    /// <summary>Refuses a source longer than the search's limit; <paramref name="where"/> names it ("line 12").</summary>
    public static void CheckLength(string[] source, SearchOptions search, string where) => CheckLength(source.Length, search.MaxInputTokens, where);

    /// <summary>Refuses a source of <paramref name="tokens"/> tokens above <paramref name="limit"/>; <paramref name="where"/> names it.</summary>
    public static void CheckLength(int tokens, int limit, string where)
    {
        if (tokens > limit)
            throw new InputTooLongException($"{where} has {tokens} tokens, more than the limit of {limit} " +
                                            "(decoding time grows with the square of the length; --max-input-tokens raises the limit)");
    }

    // The translation of a source without tokens: no tokens, an empty attention matrix when the model attends.
    private static TextHypothesis Empty(ITextModel m) =>
        new("", [], [], m.Model.Config.Attention == Attention.AttentionKind.None ? null : new float[0, 0], "", 0, 0);

    /// <summary>One model, raw lines.</summary>
    public static List<TextHypothesis[]> Translate(ITextModel m, IReadOnlyList<string> lines, SearchOptions search, TextOptions? text = null) =>
        Translate(m, [m.Model], lines.Select(l => Tokenize(m, l)).ToList(), search, text);

    /// <summary>
    /// Forced decoding: the model reads the given <paramref name="target"/> tokens (teacher forcing) instead of
    /// choosing its own, so the hypothesis is the given translation followed by <c>&lt;/s&gt;</c>, with the attention
    /// rows the model computes for it and its log-probability (Score = LogProb, no length penalty). Used to draw the
    /// alignment of a reference translation the model would not have produced itself. Target tokens missing from
    /// the vocabulary become <c>&lt;unk&gt;</c>, and then so does their label.
    /// </summary>
    public static TextHypothesis Force(ITextModel m, string[] source, string[] target)
    {
        if (source.Length == 0) throw new ArgumentException("forced decoding: the source has no tokens");
        var cfg = m.Model.Config;
        var trgIds = m.TargetVocab.Encode(target);
        var batch = Seq2SeqBatch.FromPairs([m.SourceVocab.Encode(source)], [trgIds], cfg.PadId, cfg.BosId, cfg.EosId);
        using var noGrad = Attend.Tensors.GradMode.Off();
        using var scope = Attend.Tensors.TensorScope.Begin();
        var output = m.Model.Forward(batch, ForwardOptions.Inference);
        int t = batch.TargetLength, s = batch.SourceLength, v = output.Logits.Shape[^1];
        double logProb = 0;
        for (int i = 0; i < t; i++) logProb += Translator.LogSoftmaxAt(output.Logits.Data.Slice(i * v, v), batch.TargetOut[i]);
        float[,]? attention = null;
        if (output.Weights is { } w)
        {
            attention = new float[t, s];
            for (int i = 0; i < t; i++)
                for (int j = 0; j < s; j++) attention[i, j] = w.Data[i * s + j];
        }
        var toks = m.TargetVocab.Decode(trgIds);
        string[] labels = [.. toks, EndOfSentence];
        return new TextHypothesis(m.Text.Detokenize(toks), source, labels, attention,
            Translator.Pharaoh(attention, trgIds.Length), logProb, logProb);
    }

    private static TextHypothesis ToText(ITextModel m, TextSide side, string[] source, Hypothesis h, TextOptions options)
    {
        var toks = m.TargetVocab.Decode(h.Tokens);
        if (options.ReplaceUnknowns) toks = Translator.ReplaceUnknowns(toks, source, h.Attention, h.Tokens);
        var text = options.RawTokens ? string.Join(' ', toks) : side.Detokenize(toks);
        var target = new List<string>(toks);
        // The row after the last content token is the step that emitted EOS (absent when the step limit cut it).
        if (h.Attention is not null && h.Attention.GetLength(0) > toks.Count) target.Add(EndOfSentence);
        return new TextHypothesis(text, source, [.. target], h.Attention, Translator.Pharaoh(h.Attention, h.Tokens.Length), h.Score, h.LogProb);
    }
}
