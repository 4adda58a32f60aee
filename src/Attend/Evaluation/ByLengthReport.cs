using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Attend.Evaluation;

/// <summary>
/// The by-length table as CSV (one row per system and bucket) and JSON (read back by the plot). The terminal table
/// is drawn by the command line (<c>attend evaluate --by-length</c>).
/// </summary>
internal static class ByLengthReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        // "51+" and system names stay readable (the default escapes '+' and every non-ASCII letter).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string ToJson(ByLengthTable table) => JsonSerializer.Serialize(table, Json);

    public static ByLengthTable FromJson(string json, string where)
    {
        try
        {
            var t = JsonSerializer.Deserialize<ByLengthTable>(json, Json);
            if (t?.Systems is null || t.BucketLabels is null || t.Systems.Count == 0)
                throw new EvaluationInputException($"{where}: not a by-length result (expected bucket_labels and systems)");
            return t;
        }
        catch (JsonException e)
        {
            throw new EvaluationInputException($"{where}: invalid JSON ({e.Message})");
        }
    }

    public static string ToCsv(ByLengthTable table)
    {
        var ic = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("system,bucket,min_words,max_words,sentences,bleu,chrf,length_ratio\n");
        foreach (var s in table.Systems)
            foreach (var r in s.Buckets.Append(s.Overall))
                sb.Append(ic, $"{Csv(s.Name)},{r.Bucket},{r.Min},{r.Max?.ToString(ic)},{r.Sentences},")
                  .Append(ic, $"{r.Bleu?.ToString("R", ic)},{r.Chrf?.ToString("R", ic)},{r.LengthRatio?.ToString("R", ic)}\n");
        return sb.ToString();
    }

    private static string Csv(string s) =>
        s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
