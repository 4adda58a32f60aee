using Attend.Decoding;
using Attend.Runs;

namespace Attend.Server.Translate;

/// <summary>Decodes tokenized sentences of one model; results are in input order, n-best lists best first.</summary>
internal interface ISentenceDecoder
{
    Task<List<TextHypothesis[]>> DecodeAsync(IReadOnlyList<string[]> sources, SearchOptions search, CancellationToken ct);
}

/// <summary>Each request decodes on its own thread, in parallel with the others (the model is only read).</summary>
internal sealed class DirectDecoder(LoadedModel model) : ISentenceDecoder
{
    public Task<List<TextHypothesis[]>> DecodeAsync(IReadOnlyList<string[]> sources, SearchOptions search, CancellationToken ct) =>
        Task.FromResult(TextTranslator.Translate(model, [model.Model], sources, search));
}
