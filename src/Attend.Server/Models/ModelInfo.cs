using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Attend.Config;
using Attend.Model;
using Attend.Runs;

namespace Attend.Server.Models;

/// <summary>Where training stood at the served checkpoint, and its validation record from the run's metrics.jsonl (null when absent).</summary>
internal sealed record TrainingInfo(long Step, int Epoch, double ElapsedSeconds, double? BestScore, long BestStep, JsonNode? Validation);

/// <summary>
/// What `GET /api/model` says about a model: its checkpoint, resolved config (snake_case keys, as in YAML), sizes,
/// the precision its weights compute in (fp32, int8, bf16) and training.
/// </summary>
internal sealed record ModelInfo(string Name, string Checkpoint, string Rnn, string Attention, bool HasAttention,
    int SourceVocab, int TargetVocab, long Parameters, string Precision, JsonNode Config, TrainingInfo? Training)
{
    private static readonly JsonSerializerOptions Snake = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static ModelInfo Describe(string name, LoadedModel m)
    {
        var config = Keys(m.Config);
        var attention = JsonSerializer.SerializeToNode(m.Config.Model.Attention, Snake)!.GetValue<string>();
        var dir = new DirectoryInfo(Path.TrimEndingDirectorySeparator(m.Directory));
        // best/ and last/ are links: name the step folder they point at.
        return new ModelInfo(name, dir.ResolveLinkTarget(true)?.Name ?? dir.Name,
            JsonSerializer.SerializeToNode(m.Config.Model.Rnn, Snake)!.GetValue<string>(), attention, attention != "none",
            m.SourceVocab.Count, m.TargetVocab.Count, m.Model.ParameterCount(),
            ModelPrecision.Name(ModelPrecision.Of(m.Model)), config, ReadTraining(m.Directory));
    }

    /// <summary>A config section as JSON with its YAML keys (<see cref="ConfigLoader.KeyOf"/>), nested sections as objects.</summary>
    private static JsonObject Keys(object section)
    {
        var o = new JsonObject();
        foreach (var p in ConfigLoader.KeyProperties(section.GetType()))
            o[ConfigLoader.KeyOf(p)] = p.PropertyType.IsClass && p.PropertyType != typeof(string)
                ? Keys(p.GetValue(section)!) : JsonSerializer.SerializeToNode(p.GetValue(section), p.PropertyType, Snake);
        return o;
    }

    /// <summary>trainer.json of the checkpoint, and the validation at its step (or the last before it) from ../metrics.jsonl.</summary>
    private static TrainingInfo? ReadTraining(string checkpointDir)
    {
        var trainer = Path.Combine(checkpointDir, "trainer.json");
        if (!File.Exists(trainer)) return null;
        var state = JsonNode.Parse(File.ReadAllText(trainer))!;
        long step = (long?)state["Step"] ?? 0;
        double? best = state["BestScore"] is JsonNode b && b.GetValueKind() == JsonValueKind.Number ? (double)b : null;
        JsonNode? validation = null;
        var metrics = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(Path.TrimEndingDirectorySeparator(checkpointDir)))!, RunDirectory.MetricsFile);
        if (File.Exists(metrics))
            foreach (var line in File.ReadLines(metrics))
            {
                if (!line.Contains("\"valid\"", StringComparison.Ordinal)) continue;
                JsonNode? rec;
                try { rec = JsonNode.Parse(line); } catch (JsonException) { continue; }
                if ((string?)rec?["kind"] == "valid" && (long?)rec["step"] <= step) validation = rec;
            }
        return new TrainingInfo(step, (int?)state["Epoch"] ?? 0, (double?)state["ElapsedSeconds"] ?? 0, best, (long?)state["BestStep"] ?? 0, validation);
    }
}
