using Attend.Decoding;
using Attend.Runs;
using Attend.Server.Translate;

namespace Attend.Server.Models;

/// <summary>
/// A loaded run, shared read-only by every request (decoding keeps its state on the stack of the thread
/// that runs it, so one model serves many threads), with its description and the decoder requests go through.
/// </summary>
public sealed class ServedModel(string name, LoadedModel loaded, ISentenceDecoder decoder)
{
    public string Name { get; } = name;
    public LoadedModel Loaded { get; } = loaded;
    public ISentenceDecoder Decoder { get; } = decoder;
    public ModelInfo Info { get; } = ModelInfo.Describe(name, loaded);

    /// <summary>The run's own search settings, used for what a request leaves out.</summary>
    public SearchOptions DefaultSearch
    {
        get
        {
            var t = Loaded.Config.Testing;
            return new SearchOptions(t.BeamSize, t.Alpha, t.MaxOutputRatio, 1, t.BatchSize);
        }
    }
}
