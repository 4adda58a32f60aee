using System.Globalization;
using System.Text;
using Attend.Evaluation;

namespace Attend.Plots;

/// <summary>Which score the by-length chart plots.</summary>
internal enum ChartMetric { Bleu, Chrf }

/// <summary>
/// Score against source-sentence length, one line per system: the picture of Bahdanau et al. (2015), Figure 2.
/// Buckets are evenly spaced categories labelled with their word ranges and sentence counts; an empty bucket
/// leaves a gap in the line rather than a fake zero. Lines differ in colour (Okabe–Ito), dash and marker.
/// </summary>
internal static class LineChart
{
    private static readonly string[] Colors = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"];
    private static readonly string[] Dashes = ["", "6 3", "2 3", "8 3 2 3"];

    public static string Render(ByLengthTable table, ChartMetric metric = ChartMetric.Bleu, string? title = null)
    {
        const double W = 760, H = 460, L = 70, T = 50, B = 80, fs = 13;
        string metricName = metric == ChartMetric.Bleu ? "BLEU" : "chrF";
        title ??= $"{metricName} by source sentence length";
        double legendW = Math.Max(120, table.Systems.Max(s => Svg.TextWidth(s.Name, fs)) + 50);
        double R = legendW + 20;
        double pw = W - L - R, ph = H - T - B;
        int n = table.BucketLabels.Count;

        double? Value(BucketScore b) => metric == ChartMetric.Bleu ? b.Bleu : b.Chrf;
        double maxV = table.Systems.SelectMany(s => s.Buckets).Select(Value).Where(v => v.HasValue).Select(v => v!.Value).DefaultIfEmpty(0).Max();
        double step = maxV > 50 ? 20 : maxV > 20 ? 10 : 5;
        double yMax = Math.Max(step, Math.Ceiling(maxV / step) * step);
        double X(int i) => L + (i + 0.5) * pw / n;
        double Y(double v) => T + ph - v / yMax * ph;

        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Svg.N(W)}\" height=\"{Svg.N(H)}\" viewBox=\"0 0 {Svg.N(W)} {Svg.N(H)}\">\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        sb.Append($"<g font-family=\"{Svg.Escape(Svg.FontFamily)}\" font-size=\"{Svg.N(fs)}\" fill=\"#222222\">\n");
        sb.Append($"<text class=\"title\" x=\"{Svg.N(L + pw / 2)}\" y=\"{Svg.N(T - 20)}\" text-anchor=\"middle\" font-size=\"{Svg.N(fs * 1.2)}\" font-weight=\"bold\">{Svg.Escape(title)}</text>\n");

        // Horizontal grid and y ticks.
        for (double v = 0; v <= yMax + 1e-9; v += step)
        {
            sb.Append($"<line x1=\"{Svg.N(L)}\" y1=\"{Svg.N(Y(v))}\" x2=\"{Svg.N(L + pw)}\" y2=\"{Svg.N(Y(v))}\" stroke=\"#e3e3e3\"/>")
              .Append($"<text class=\"y-tick\" x=\"{Svg.N(L - 8)}\" y=\"{Svg.N(Y(v))}\" text-anchor=\"end\" dominant-baseline=\"central\">{v.ToString("0", CultureInfo.InvariantCulture)}</text>\n");
        }
        // X ticks: bucket range and its sentence count.
        for (int i = 0; i < n; i++)
        {
            sb.Append($"<line x1=\"{Svg.N(X(i))}\" y1=\"{Svg.N(T + ph)}\" x2=\"{Svg.N(X(i))}\" y2=\"{Svg.N(T + ph + 5)}\" stroke=\"#444444\"/>")
              .Append($"<text class=\"x-tick\" x=\"{Svg.N(X(i))}\" y=\"{Svg.N(T + ph + 20)}\" text-anchor=\"middle\">{Svg.Escape(table.BucketLabels[i])}</text>")
              .Append($"<text x=\"{Svg.N(X(i))}\" y=\"{Svg.N(T + ph + 36)}\" text-anchor=\"middle\" font-size=\"{Svg.N(fs * 0.8)}\" fill=\"#777777\">n={table.BucketSentences[i]}</text>\n");
        }
        sb.Append($"<line x1=\"{Svg.N(L)}\" y1=\"{Svg.N(T)}\" x2=\"{Svg.N(L)}\" y2=\"{Svg.N(T + ph)}\" stroke=\"#444444\"/>")
          .Append($"<line x1=\"{Svg.N(L)}\" y1=\"{Svg.N(T + ph)}\" x2=\"{Svg.N(L + pw)}\" y2=\"{Svg.N(T + ph)}\" stroke=\"#444444\"/>\n");
        sb.Append($"<text class=\"x-label\" x=\"{Svg.N(L + pw / 2)}\" y=\"{Svg.N(H - 16)}\" text-anchor=\"middle\">Source sentence length (words)</text>\n");
        sb.Append($"<text class=\"y-label\" x=\"{Svg.N(20)}\" y=\"{Svg.N(T + ph / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 20 {Svg.N(T + ph / 2)})\">{metricName}</text>\n");

        for (int k = 0; k < table.Systems.Count; k++)
        {
            var sys = table.Systems[k];
            string color = Colors[k % Colors.Length], dash = Dashes[k % Dashes.Length];
            string dashAttr = dash.Length > 0 ? $" stroke-dasharray=\"{dash}\"" : "";
            // Split the polyline at empty buckets.
            var path = new StringBuilder();
            bool pen = false;
            for (int i = 0; i < n; i++)
            {
                if (Value(sys.Buckets[i]) is not double v) { pen = false; continue; }
                path.Append(pen ? " L" : (path.Length > 0 ? " M" : "M")).Append($"{Svg.N(X(i))} {Svg.N(Y(v))}");
                pen = true;
            }
            sb.Append($"<g class=\"series\" data-system=\"{Svg.Escape(sys.Name)}\">");
            if (path.Length > 0)
                sb.Append($"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.2\"{dashAttr}/>");
            for (int i = 0; i < n; i++)
                if (Value(sys.Buckets[i]) is double v)
                    sb.Append(Marker(k, X(i), Y(v), color)
                        .Replace("/>", $"><title>{Svg.Escape(sys.Name)}, {Svg.Escape(table.BucketLabels[i])} words: {v.ToString("F2", CultureInfo.InvariantCulture)}</title></{MarkerTag(k)}>"));
            sb.Append("</g>\n");

            double ly = T + 10 + k * 22, lx = L + pw + 20;
            sb.Append($"<g class=\"legend-entry\"><line x1=\"{Svg.N(lx)}\" y1=\"{Svg.N(ly)}\" x2=\"{Svg.N(lx + 30)}\" y2=\"{Svg.N(ly)}\" stroke=\"{color}\" stroke-width=\"2.2\"{dashAttr}/>")
              .Append(Marker(k, lx + 15, ly, color))
              .Append($"<text x=\"{Svg.N(lx + 38)}\" y=\"{Svg.N(ly)}\" dominant-baseline=\"central\"{Svg.DirectionAttributes(sys.Name)}>{Svg.Escape(sys.Name)}</text></g>\n");
        }
        sb.Append("</g>\n</svg>\n");
        return sb.ToString();
    }

    private static string MarkerTag(int k) => (k % 3) switch { 0 => "circle", 1 => "rect", _ => "path" };

    private static string Marker(int k, double x, double y, string color) => (k % 3) switch
    {
        0 => $"<circle cx=\"{Svg.N(x)}\" cy=\"{Svg.N(y)}\" r=\"4\" fill=\"{color}\"/>",
        1 => $"<rect x=\"{Svg.N(x - 4)}\" y=\"{Svg.N(y - 4)}\" width=\"8\" height=\"8\" fill=\"{color}\"/>",
        _ => $"<path d=\"M{Svg.N(x)} {Svg.N(y - 5)} L{Svg.N(x + 5)} {Svg.N(y + 4)} L{Svg.N(x - 5)} {Svg.N(y + 4)} Z\" fill=\"{color}\"/>",
    };
}
