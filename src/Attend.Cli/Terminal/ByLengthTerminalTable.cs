// The by-length evaluation as a terminal table: what `attend evaluate --by-length` prints.
using System.Globalization;
using Attend.Evaluation;
using Spectre.Console;

namespace Attend.Cli.Terminal;

/// <summary>The by-length table (<see cref="ByLengthTable"/>) for a terminal, as a Spectre.Console table.</summary>
internal static class ByLengthTerminalTable
{
    /// <summary>Rows are buckets; each system contributes BLEU, chrF and length-ratio columns.</summary>
    public static Table Build(ByLengthTable table)
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
