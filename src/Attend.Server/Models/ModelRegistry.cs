using Attend.Attention;
using Attend.Server.Translate;

namespace Attend.Server.Models;

/// <summary>The models of this server by name; the first is the default.</summary>
internal sealed class ModelRegistry : IDisposable
{
    private readonly Dictionary<string, ServedModel> _byName;

    public ModelRegistry(IReadOnlyList<ServedModel> models)
    {
        if (models.Count == 0) throw new ArgumentException("a server needs at least one model");
        All = models;
        _byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<ServedModel> All { get; }
    public ServedModel Default => All[0];
    public IEnumerable<string> Names => All.Select(m => m.Name);

    /// <summary>The named model, the default for null; false for an unknown name.</summary>
    public bool TryGet(string? name, out ServedModel model)
    {
        if (name is null) { model = Default; return true; }
        return _byName.TryGetValue(name, out model!);
    }

    /// <summary>Loads every run of <paramref name="options"/> (bad directories fail here with a <see cref="ModelLoadException"/> naming the path).</summary>
    public static ModelRegistry Load(ServerOptions options) =>
        new(options.Models.Select(spec =>
        {
            var model = TranslationModel.Load([spec.Path], options.Precision);
            var loaded = model.LoadedRun;
            ISentenceDecoder decoder = options.Batching ? new BatchingDecoder(loaded, options.MaxBatch, options.Workers,
                    loaded.Config.Model.Attention == AttentionKind.None ? long.MaxValue : options.MaxAttentionWeights) : new DirectDecoder(loaded);
            return new ServedModel(spec.Name, model, decoder);
        }).ToList());

    public void Dispose()
    {
        foreach (var m in All) (m.Decoder as IDisposable)?.Dispose();
    }
}
