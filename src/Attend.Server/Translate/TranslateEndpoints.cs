using System.Diagnostics;
using Attend.Decoding;
using Attend.Server.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attend.Server.Translate;

/// <summary>POST /api/translate: read and check the request, decode through the model's decoder, shape the answer.</summary>
internal static class TranslateEndpoints
{
    public const double MaxLengthPenalty = 10;

    public static IEndpointRouteBuilder MapTranslate(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/translate", Translate);
        return app;
    }

    internal static async Task<Results<Ok<TranslateResponse>, ProblemHttpResult>> Translate(HttpRequest http, ModelRegistry models,
        ServerOptions options, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var (body, unreadable) = await RequestBody.ReadAsync(http, options.MaxBodyBytes, ct);
        if (unreadable is not null) return unreadable;
        var (request, error) = TranslateRequest.Parse(body);
        if (request is null) return Problems.BadRequest(error!);
        if (!models.TryGet(request.Model, out var model)) return Problems.UnknownModel(request.Model!, models.Names);
        var (texts, search, problem) = Check(request, model, options);
        if (problem is not null) return Problems.BadRequest(problem);

        var sources = new List<string[]>(texts!.Count);
        for (int i = 0; i < texts.Count; i++)
        {
            var tokens = model.Model.Tokenize(texts[i]);
            if (tokens.Count == 0) return Problems.BadRequest($"{Field(request, i)} has no tokens after normalization");
            if (tokens.Count > search!.MaxInputTokens)
                return Problems.BadRequest($"{Field(request, i)} has {tokens.Count} tokens, the limit is {search.MaxInputTokens}");
            sources.Add([.. tokens]);
        }
        if (model.Info.HasAttention && OverBudget(request, sources, search!, options) is string over) return Problems.BadRequest(over);
        var results = await model.Decoder.DecodeAsync(sources, search!, ct);
        var translations = results.Select(r => Shape(r, search!.NBest)).ToList();
        return TypedResults.Ok(new TranslateResponse(translations, model.Name, Math.Round(clock.Elapsed.TotalMilliseconds, 2)));
    }

    /// <summary>The texts and search options of a request, or the message of the first limit it breaks.</summary>
    private static (IReadOnlyList<string>? Texts, SearchOptions? Search, string? Error) Check(TranslateRequest r, ServedModel model, ServerOptions o)
    {
        if (r.Text is not null && r.Texts is not null) return (null, null, "give either \"text\" or \"texts\", not both");
        if (r.Text is null && r.Texts is null) return (null, null, "missing field: give \"text\": \"…\" or \"texts\": [\"…\", …]");
        var texts = r.Texts ?? [r.Text];
        if (texts.Count == 0) return (null, null, "texts: the list is empty");
        if (texts.Count > o.MaxTexts) return (null, null, $"texts: {texts.Count} texts, the limit is {o.MaxTexts} per request");
        for (int i = 0; i < texts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i])) return (null, null, $"{Field(r, i)} is empty");
            if (texts[i]!.Length > o.MaxTextLength)
                return (null, null, $"{Field(r, i)} has {texts[i]!.Length} characters, the limit is {o.MaxTextLength}");
        }
        var search = model.DefaultSearch;
        int beam = r.Beam ?? Math.Min(search.BeamSize, o.MaxBeam);
        if (beam < 1 || beam > o.MaxBeam) return (null, null, $"beam: expected 1..{o.MaxBeam}, got {beam}");
        int nbest = r.NBest ?? 1;
        if (nbest < 1 || nbest > beam) return (null, null, $"nbest: expected 1..beam ({beam}), got {nbest}");
        double alpha = r.LengthPenalty ?? search.Alpha;
        if (!(alpha >= 0 && alpha <= MaxLengthPenalty)) return (null, null, $"lengthPenalty: expected 0..{MaxLengthPenalty}, got {alpha}");
        return (texts.Select(t => t!).ToList(), search with { BeamSize = beam, NBest = nbest, Alpha = alpha }, null);
    }

    /// <summary>
    /// The message for a request whose worst case (no hypothesis ends before its step limit) would make the search
    /// hold more attention weights than the server allows, before any decoding; null when it fits.
    /// </summary>
    private static string? OverBudget(TranslateRequest r, List<string[]> sources, SearchOptions search, ServerOptions o)
    {
        long weights = Translator.AttentionWeights(sources.Select(s => s.Length).ToList(), search);
        if (weights <= o.MaxAttentionWeights) return null;
        string what = r.Texts is null ? "a shorter text" : "fewer or shorter texts";
        string beam = search.BeamSize > 1 ? $", or a lower beam than {search.BeamSize} (nbest is at most beam)" : "";
        return $"this request could need {weights} attention weights (texts × beam × output steps × source tokens), " +
            $"the limit is {o.MaxAttentionWeights}: send {what}{beam}";
    }

    private static string Field(TranslateRequest r, int i) => r.Texts is null ? "text" : $"texts[{i}]";

    private static Translation Shape(TextHypothesis[] nbest, int n)
    {
        var best = nbest[0];
        return new Translation(best.Text, best.SourceTokens, best.TargetTokens, best.AttentionRows(), best.Alignment, best.Score,
            n > 1 ? nbest.Select(h => new Alternative(h.Text, h.TargetTokens, h.AttentionRows(), h.Alignment, h.Score)).ToList() : null);
    }
}
