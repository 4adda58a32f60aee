using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Attend.Evaluation;

/// <summary>The by-length table as a terminal table, CSV (one row per system and bucket) and JSON (read back by the plot).</summary>
public static class ByLengthReport
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

    /// <summary>Rows are buckets; each system contributes BLEU, chrF and length-ratio columns.</summary>
    public static Table ToTable(ByLengthTable table)
    {
        var t = new Table().Border(TableBorder.Rounded);
        t.AddColumn("source words");
        t.AddColumn(new TableColumn("sentences").RightAligned());
        foreach (var s in table.Systems)
        {
            string n = Markup.Escape(s.Name);
            t.AddColumn(new TableColumn($"{n} BLEU").RightAligned());
            t.AddColumn(new TableColumn($"{n} chrF").RightAligned());
            t.AddColumn(new TableColumn($"{n} len").RightAligned());
        }
        int rows = table.BucketLabels.Count;
        for (int b = 0; b <= rows; b++)
        {
            bool overall = b == rows;
            var cells = new List<string>
            {
                overall ? "[bold]all[/]" : table.BucketLabels[b],
                (overall ? table.BucketSentences.Sum() : table.BucketSentences[b]).ToString(CultureInfo.InvariantCulture),
            };
            foreach (var s in table.Systems)
            {
                var r = overall ? s.Overall : s.Buckets[b];
                cells.Add(Num(r.Bleu, "F2"));
                cells.Add(Num(r.Chrf, "F2"));
                cells.Add(Num(r.LengthRatio, "F3"));
            }
            t.AddRow(cells.ToArray());
        }
        return t;
    }

    private static string Num(double? v, string fmt) => v?.ToString(fmt, CultureInfo.InvariantCulture) ?? "-";
}
