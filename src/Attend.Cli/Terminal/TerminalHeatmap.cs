// The attention grid in a terminal: what `attend translate --show-attention`, `attend plot attention --terminal` and `attend demo` print.
using System.Globalization;
using Attend.Plots;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Attend.Cli.Terminal;

/// <summary>
/// The attention grid for a terminal: a Spectre.Console table whose cells show the weight in percent on a
/// background from <see cref="ColorScale"/> (white text on dark cells). Used by <c>translate --show-attention</c>
/// and the demo; without colour support the numbers alone still read as the matrix.
/// </summary>
internal static class TerminalHeatmap
{
    /// <summary>The table: a header row of source tokens, then one row per target token (T rows × S cells).</summary>
    public static IRenderable Build(AttentionMatrix m)
    {
        var table = new Table().Border(TableBorder.None).HideHeaders().Collapse();
        table.AddColumn(new TableColumn("").RightAligned().NoWrap().PadLeft(0).PadRight(1));
        for (int s = 0; s < m.S; s++) table.AddColumn(new TableColumn("").Centered().NoWrap().PadLeft(0).PadRight(1));

        var header = new List<IRenderable> { new Spectre.Console.Text("") };
        header.AddRange(m.Source.Select(tok => new Spectre.Console.Text(Truncate(tok), new Style(decoration: Decoration.Bold))));
        table.AddRow(header);
        for (int t = 0; t < m.T; t++)
        {
            var row = new List<IRenderable> { new Spectre.Console.Text(m.Target[t], new Style(decoration: Decoration.Bold)) };
            for (int s = 0; s < m.S; s++) row.Add(Cell(m.Weights[t][s]));
            table.AddRow(row);
        }
        return table;
    }

    /// <summary>Writes <see cref="Build"/> to <paramref name="console"/>.</summary>
    public static void Write(IAnsiConsole console, AttentionMatrix m) => console.Write(Build(m));

    /// <summary>A cell's text: the weight as a two-digit percentage, "··" below 0.5%.</summary>
    public static string CellText(float w)
    {
        int pct = (int)Math.Round(Math.Clamp(w, 0f, 1f) * 100);
        return pct == 0 ? " ·· " : pct >= 100 ? "100 " : $" {pct.ToString("00", CultureInfo.InvariantCulture)} ";
    }

    private static Spectre.Console.Text Cell(float w)
    {
        var (r, g, b) = ColorScale.Rgb(w);
        var fg = ColorScale.Luminance(r, g, b) < 0.35 ? Color.White : Color.Black;
        return new Spectre.Console.Text(CellText(w), new Style(fg, new Color(r, g, b)));
    }

    private static string Truncate(string tok) => tok.Length <= 10 ? tok : tok[..9] + "…";
}
