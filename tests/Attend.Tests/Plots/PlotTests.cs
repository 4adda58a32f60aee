using System.Globalization;
using System.Xml.Linq;
using Attend.Cli.Terminal;
using Attend.Evaluation;
using Attend.Plots;
using Spectre.Console;

namespace Attend.Tests.Plots;

public class PlotTests
{
    private static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    private static AttentionMatrix Sample() => new(
        ["la", "maison", "<b>&amp;", "bleue", "."],
        ["the", "blue", "house", "घर", "房子", "בית", "بيت"],
        Enumerable.Range(0, 7).Select(t => (IReadOnlyList<float>)Enumerable.Range(0, 5)
            .Select(s => (float)(((t * 5 + s) * 7) % 35) / 34f).ToArray()).ToArray());

    private static IEnumerable<XElement> ByClass(XDocument d, string name, string cls) =>
        d.Descendants(Ns + name).Where(e => (string?)e.Attribute("class") == cls);

    [Fact]
    public void Heatmap_is_valid_svg_with_one_cell_per_weight_and_all_labels()
    {
        var m = Sample();
        var doc = XDocument.Parse(AttentionHeatmap.Render(m, new HeatmapOptions(Title: "fr → en")));
        Assert.Equal(Ns + "svg", doc.Root!.Name);
        Assert.Equal(m.S * m.T, ByClass(doc, "rect", "cell").Count());
        Assert.Equal(m.Source, ByClass(doc, "text", "source-label").Select(e => e.Value));
        Assert.Equal(m.Target, ByClass(doc, "text", "target-label").Select(e => e.Value));
        Assert.NotNull(doc.Descendants(Ns + "linearGradient").SingleOrDefault());
    }

    [Fact]
    public void Heatmap_canvas_is_wide_enough_for_a_long_title()
    {
        const string title = "Tatoeba fr→en, Bahdanau, 28 minutes of training, forced decoding of the reference";
        var doc = XDocument.Parse(AttentionHeatmap.Render(Sample(), new HeatmapOptions(Title: title)));
        double width = double.Parse((string)doc.Root!.Attribute("width")!, System.Globalization.CultureInfo.InvariantCulture);
        double plain = double.Parse((string)XDocument.Parse(AttentionHeatmap.Render(Sample())).Root!.Attribute("width")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(width > plain, $"a long title should widen the canvas ({width} vs {plain} without a title)");
        Assert.True(width >= 10 + Svg.TextWidth(title, 13 * 1.15), $"canvas {width} narrower than the title");
    }

    [Fact]
    public void Heatmap_escapes_markup_and_marks_right_to_left_labels()
    {
        string svg = AttentionHeatmap.Render(Sample());
        Assert.Contains("&lt;b&gt;&amp;amp;", svg);
        var doc = XDocument.Parse(svg);
        var labels = ByClass(doc, "text", "target-label").ToDictionary(e => e.Value);
        foreach (var rtl in new[] { "בית", "بيت" })
        {
            Assert.Equal("rtl", (string?)labels[rtl].Attribute("direction"));
            Assert.Equal("embed", (string?)labels[rtl].Attribute("unicode-bidi"));
        }
        foreach (var ltr in new[] { "the", "घर", "房子" }) Assert.Null(labels[ltr].Attribute("direction"));
        Assert.Contains("font-family", svg);
        Assert.Contains("sans-serif", svg);
    }

    [Fact]
    public void Cell_colours_get_darker_as_weight_grows()
    {
        var doc = XDocument.Parse(AttentionHeatmap.Render(Sample()));
        var cells = ByClass(doc, "rect", "cell")
            .Select(e => (W: double.Parse((string)e.Attribute("data-weight")!, CultureInfo.InvariantCulture), L: Lum((string)e.Attribute("fill")!)))
            .OrderBy(c => c.W).ToList();
        for (int i = 1; i < cells.Count; i++)
        {
            Assert.True(cells[i].L <= cells[i - 1].L, $"luminance rises between weights {cells[i - 1].W} and {cells[i].W}");
            if (cells[i].W - cells[i - 1].W > 0.02) Assert.True(cells[i].L < cells[i - 1].L);
        }
        Assert.True(Lum(ColorScale.Hex(0)) > 0.9 && Lum(ColorScale.Hex(1)) < 0.05);
    }

    private static double Lum(string hex) => ColorScale.Luminance(
        Convert.ToByte(hex[1..3], 16), Convert.ToByte(hex[3..5], 16), Convert.ToByte(hex[5..7], 16));

    [Fact]
    public void Long_source_tokens_are_rotated_short_ones_are_not()
    {
        var shortDoc = XDocument.Parse(AttentionHeatmap.Render(new AttentionMatrix(["a", "b"], ["x"], [[0.5f, 0.5f]])));
        Assert.All(ByClass(shortDoc, "text", "source-label"), e => Assert.Null(e.Attribute("transform")));
        var longDoc = XDocument.Parse(AttentionHeatmap.Render(new AttentionMatrix(["internationalisation", "b"], ["x"], [[0.5f, 0.5f]])));
        Assert.All(ByClass(longDoc, "text", "source-label"), e => Assert.StartsWith("rotate(-45", (string)e.Attribute("transform")!));
    }

    [Fact]
    public void Matrix_file_errors_name_the_problem()
    {
        string f = Path.GetTempFileName();
        File.WriteAllText(f, """[{"source":["a","b"],"target":["x"],"attention":[[0.1,0.9]]},{"source":["a"],"target":["x","y"],"attention":[[1.0]]}]""");
        Assert.Equal(["a", "b"], AttentionMatrix.Load(f, 0).Source);
        var e = Assert.Throws<PlotInputException>(() => AttentionMatrix.Load(f, 1));
        Assert.Contains("[1]", e.Message);
        Assert.Contains("2 tokens", e.Message);
        Assert.Throws<PlotInputException>(() => AttentionMatrix.Load(f, 2));
        File.Delete(f);
    }

    [Fact]
    public void Bleu_by_length_chart_has_a_line_and_legend_entry_per_system()
    {
        string[] src = ["a b", "a b c d e f g h i j k l", "x y", "p q r s t u v w x y z a b c d e f g h i j k l m"];
        string[] refs = ["the cat sat on the mat", "a long sentence about many different things here", "hello there my friend", "w x y z"];
        string[] bad = ["the cat sat on the mat", "nothing matches", "hello there my friend", "w x"];
        var t = ByLength.Score(src, [("RNNsearch-50", refs), ("RNNenc & <50>", bad)], [refs], LengthBuckets.Parse("5,10,20"));
        var doc = XDocument.Parse(LineChart.Render(t));
        var series = ByClass(doc, "g", "series").ToList();
        Assert.Equal(2, series.Count);
        Assert.Equal("RNNenc & <50>", (string?)series[1].Attribute("data-system"));
        Assert.Equal(2, ByClass(doc, "g", "legend-entry").Count());
        Assert.Equal(t.BucketLabels, ByClass(doc, "text", "x-tick").Select(e => e.Value));
        Assert.Equal("Source sentence length (words)", ByClass(doc, "text", "x-label").Single().Value);
        Assert.Equal("BLEU", ByClass(doc, "text", "y-label").Single().Value);
        // Bucket 6-10 is empty, so the line breaks there: two sub-paths.
        Assert.Equal(2, ((string)series[0].Element(Ns + "path")!.Attribute("d")!).Count(c => c == 'M'));
    }

    [Fact]
    public void Terminal_heatmap_shows_tokens_and_percentages()
    {
        var sw = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(sw), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        var m = new AttentionMatrix(["la", "maison"], ["the", "house"], [[0.9f, 0.1f], [0.004f, 0.996f]]);
        TerminalHeatmap.Write(console, m);
        string text = sw.ToString();
        foreach (var s in new[] { "la", "maison", "the", "house", " 90 ", " 10 ", " ·· ", "100 " }) Assert.Contains(s, text);
    }
}
