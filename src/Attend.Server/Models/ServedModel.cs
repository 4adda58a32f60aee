using Attend.Decoding;
using Attend.Runs;
using Attend.Server.Translate;

namespace Attend.Server.Models;

/// <summary>
/// A loaded run, shared read-only by every request (decoding keeps its state on the stack of the thread
/// that runs it, so one model serves many threads), with its description and the decoder requests go through.
/// The run is loaded through the front door (<see cref="TranslationModel"/>), which tokenizes requests; decoding goes
/// below the text, through <see cref="Decoder"/>, so that concurrent requests can share padded batches.
/// </summary>
internal sealed class ServedModel(string name, TranslationModel model, ISentenceDecoder decoder)
{
    /// <summary>A served run already loaded (tests build servers around one).</summary>
    public ServedModel(string name, LoadedModel loaded, ISentenceDecoder decoder) : this(name, TranslationModel.Of(loaded), decoder) { }

    public string Name { get; } = name;
    public TranslationModel Model { get; } = model;
    public LoadedModel Loaded { get; } = model.LoadedRun;
    public ISentenceDecoder Decoder { get; } = decoder;
    public ModelInfo Info { get; } = ModelInfo.Describe(name, model.LoadedRun);

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
