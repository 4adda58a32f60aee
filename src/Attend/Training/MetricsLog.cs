using System.Text.Json;

namespace Attend.Training;

/// <summary>The run's <c>metrics.jsonl</c>: one JSON object per line (training ticks and validations).</summary>
public static class MetricsLog
{
    public const string FileName = "metrics.jsonl";
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Append(string runDir, object record) =>
        File.AppendAllText(Path.Combine(runDir, FileName), JsonSerializer.Serialize(record, Json) + "\n");
}
