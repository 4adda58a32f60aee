using System.Text.Json;
using Attend.Runs;

namespace Attend.Training;

/// <summary>The run's <c>metrics.jsonl</c>: one JSON object per line (training ticks and validations).</summary>
internal static class MetricsLog
{
    public const string FileName = RunDirectory.MetricsFile;
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Append(string runDir, object record) =>
        File.AppendAllText(Path.Combine(runDir, FileName), JsonSerializer.Serialize(record, Json) + "\n");

    /// <summary>
    /// On resume: keeps only the lines up to <paramref name="step"/> (the checkpoint's), so the steps trained again
    /// are not logged twice; a torn last line (a kill during a write) goes too. Rewritten to a temporary file and
    /// renamed over the log, so a kill here leaves the old log or the new one.
    /// </summary>
    public static void DropAfter(string runDir, long step)
    {
        var path = Path.Combine(runDir, FileName);
        if (!File.Exists(path)) return;
        var kept = File.ReadLines(path).Where(line => StepOf(line) is long s && s <= step).ToList();
        var tmp = path + $".tmp-{Environment.ProcessId}";
        File.WriteAllLines(tmp, kept);
        File.Move(tmp, path, overwrite: true);
    }

    private static long? StepOf(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("step", out var s) && s.TryGetInt64(out long v) ? v : null;
        }
        catch (JsonException) { return null; }
    }
}
