using Attend.Config;
using Attend.Tensors;

namespace Attend.Server;

/// <summary>A model to serve: the name clients use and its run directory (or checkpoint folder).</summary>
internal sealed record ModelSpec(string Name, string Path)
{
    /// <summary>"name=RUN", or "RUN" named after the run folder (runs/demo/bahdanau → bahdanau; a best/, last/ or step-N/ folder takes its run's name).</summary>
    public static ModelSpec Parse(string spec)
    {
        int eq = spec.IndexOf('=');
        if (eq > 0 && !Directory.Exists(spec)) return new ModelSpec(spec[..eq], spec[(eq + 1)..]);
        if (eq == 0) throw new ConfigException($"--model {spec}: empty model name before '='");
        var full = System.IO.Path.GetFullPath(spec).TrimEnd(System.IO.Path.DirectorySeparatorChar);
        var name = System.IO.Path.GetFileName(full);
        if (name is "best" or "last" || name.StartsWith("step-", StringComparison.Ordinal))
            name = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(full)) ?? name;
        return new ModelSpec(name, spec);
    }
}

/// <summary>What `attend serve` serves and the limits it enforces on every request.</summary>
internal sealed record ServerOptions
{
    /// <summary>The models; the first is the default for requests that name none.</summary>
    public IReadOnlyList<ModelSpec> Models { get; init; } = [];
    /// <summary>Characters per input text.</summary>
    public int MaxTextLength { get; init; } = 1000;
    /// <summary>Texts per request.</summary>
    public int MaxTexts { get; init; } = 64;
    /// <summary>Largest beam a request may ask for.</summary>
    public int MaxBeam { get; init; } = 16;
    /// <summary>Bytes per request body (413 above).</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;
    /// <summary>
    /// Attention weights a request may make the search hold in the worst case (no hypothesis emits EOS):
    /// Σ over decoding batches of sentences × beam × step limit × source tokens (<c>Translator.AttentionWeights</c>).
    /// 16 M floats are 64 MB while decoding; the other limits alone allow gigabytes.
    /// </summary>
    public long MaxAttentionWeights { get; init; } = 16_000_000;
    /// <summary>
    /// Decode concurrent requests together in shared batches, instead of each on its own thread. Off by
    /// default: measured, it did not lower the CPU time per request and lengthened the p99 (docs/performance.md, "Serving").
    /// </summary>
    public bool Batching { get; init; }
    /// <summary>
    /// The lowest level ASP.NET Core logs (<c>Microsoft.AspNetCore.*</c>: a line per request, routing, results).
    /// Warning keeps the log quiet under load; startup lines (listening address) and the warm-up stay at
    /// Information, and a level below Information lowers them too.
    /// </summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;
    /// <summary>Sentences one batched decode takes from the queue at most.</summary>
    public int MaxBatch { get; init; } = 32;
    /// <summary>Batched decodes running at once (batching on).</summary>
    public int Workers { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>
    /// The precision every model computes in (docs/quantization.md): null runs each checkpoint as stored, int8 or
    /// bf16 quantizes an fp32 checkpoint as it loads.
    /// </summary>
    public Precision? Precision { get; init; }

    private static readonly string[] Keys =
        ["Models", "MaxTextLength", "MaxTexts", "MaxBeam", "MaxBodyBytes", "MaxAttentionWeights", "LogLevel", "Batching", "MaxBatch", "Workers", "Precision"];

    /// <summary>Throws a <see cref="ConfigException"/> naming the first bad setting.</summary>
    public ServerOptions Validate()
    {
        if (Models.Count == 0) throw new ConfigException("no model to serve: give --model RUN (or --model name=RUN, repeatable)");
        foreach (var dup in Models.GroupBy(m => m.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            throw new ConfigException($"--model: the name '{dup.Key}' is given twice; name them: --model a=RUN --model b=RUN");
        Positive(MaxTextLength, "max text length");
        Positive(MaxTexts, "max texts");
        Positive(MaxBeam, "max beam");
        Positive(MaxBatch, "max batch");
        Positive(Workers, "workers");
        if (MaxBodyBytes < 1) throw new ConfigException($"max body bytes: expected a positive integer, got {MaxBodyBytes}");
        if (MaxAttentionWeights < 1) throw new ConfigException($"max attention weights: expected a positive integer, got {MaxAttentionWeights}");
        return this;
    }

    private static void Positive(int value, string what)
    {
        if (value < 1) throw new ConfigException($"{what}: expected a positive integer, got {value}");
    }

    /// <summary>
    /// The options under the <c>Attend</c> configuration section (<c>--Attend:Models:NAME=RUN</c>,
    /// <c>--Attend:MaxBeam=8</c>, …): what the standalone server and in-process tests use. Unknown keys are errors.
    /// </summary>
    public static ServerOptions FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection("Attend");
        foreach (var child in section.GetChildren())
            if (!Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                throw new ConfigException($"Attend:{child.Key}: unknown setting (expected one of {string.Join(", ", Keys)})");
        var d = new ServerOptions();
        int Int(string key, int fallback) => section[key] is string s
            ? int.TryParse(s, out int v) ? v : throw new ConfigException($"Attend:{key}: expected an integer, got '{s}'")
            : fallback;
        long Long(string key, long fallback) => section[key] is string s
            ? long.TryParse(s, out long v) ? v : throw new ConfigException($"Attend:{key}: expected an integer, got '{s}'")
            : fallback;
        return new ServerOptions
        {
            Models = section.GetSection("Models").GetChildren().Select(c => new ModelSpec(c.Key, c.Value ?? "")).ToList(),
            MaxTextLength = Int("MaxTextLength", d.MaxTextLength),
            MaxTexts = Int("MaxTexts", d.MaxTexts),
            MaxBeam = Int("MaxBeam", d.MaxBeam),
            MaxBodyBytes = Long("MaxBodyBytes", d.MaxBodyBytes),
            MaxAttentionWeights = Long("MaxAttentionWeights", d.MaxAttentionWeights),
            Batching = section["Batching"] is string b
                ? bool.TryParse(b, out bool on) ? on : throw new ConfigException($"Attend:Batching: expected true or false, got '{b}'")
                : d.Batching,
            LogLevel = section["LogLevel"] is string l
                ? Enum.TryParse(l, true, out LogLevel level) && Enum.IsDefined(level) ? level
                    : throw new ConfigException($"Attend:LogLevel: expected one of {string.Join(", ", Enum.GetNames<LogLevel>())}, got '{l}'")
                : d.LogLevel,
            MaxBatch = Int("MaxBatch", d.MaxBatch),
            Workers = Int("Workers", d.Workers),
            Precision = section["Precision"] is string p
                ? Enum.TryParse(p, true, out Precision precision) && Enum.IsDefined(precision) ? precision
                    : throw new ConfigException($"Attend:Precision: expected fp32, int8 or bf16, got '{p}'")
                : d.Precision,
        };
    }
}
