using System.Globalization;
using System.Text;

namespace Attend.Plots;

/// <summary>Sizes for the heatmap, in CSS pixels.</summary>
internal sealed record HeatmapOptions(double Cell = 30, double FontSize = 13, string? Title = null);

/// <summary>
/// Renders an attention matrix as a standalone SVG: columns are source tokens (labels on top, rotated 45° when
/// they do not fit a cell), rows are target tokens (labels on the left), one rect per weight shaded by
/// <see cref="ColorScale"/>, and a vertical colour legend. Right-to-left labels carry direction="rtl" so their
/// letters keep their order, and their anchor is flipped so they still hug the grid.
/// </summary>
internal static class AttentionHeatmap
{
    public static string Render(AttentionMatrix m, HeatmapOptions? options = null)
    {
        var o = options ?? new HeatmapOptions();
        double cell = o.Cell, fs = o.FontSize;
        double maxCol = m.Source.Select(s => Svg.TextWidth(s, fs)).DefaultIfEmpty(0).Max();
        double maxRow = m.Target.Select(t => Svg.TextWidth(t, fs)).DefaultIfEmpty(0).Max();
        bool rotate = maxCol > cell - 4;
        const double Sin45 = 0.7071;

        double titleH = o.Title is null ? 0 : fs * 2;
        double top = titleH + 10 + (rotate ? maxCol * Sin45 + fs : fs + 6);
        double left = 10 + maxRow + 10;
        double gridW = m.S * cell, gridH = m.T * cell;
        // Rotated labels sit above the grid, so the legend (beside the grid) never meets them; they only widen the canvas.
        double legendX = left + gridW + 24;
        double legendH = Math.Max(Math.Min(gridH, 220), 80);
        double labelRight = rotate
            ? m.Source.Select((tok, s) => left + (s + 0.5) * cell + Svg.TextWidth(tok, fs) * Sin45 + fs).DefaultIfEmpty(0).Max()
            : 0;
        // The title is drawn at x = 10 in bold at 1.15× the font size: the canvas is at least that wide.
        double titleRight = o.Title is null ? 0 : 10 + Svg.TextWidth(o.Title, fs * 1.15) * 1.1 + 10;
        double width = Math.Max(Math.Max(legendX + 14 + 8 + fs * 2.5 + 10, labelRight + 10), titleRight);
        double height = Math.Max(top + gridH, top + legendH + fs) + 14;

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Svg.N(width)}\" height=\"{Svg.N(height)}\" viewBox=\"0 0 {Svg.N(width)} {Svg.N(height)}\">\n");
        sb.Append("<style>.cell{stroke:#ffffff;stroke-width:1}</style>\n");
        sb.Append($"<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        sb.Append($"<g font-family=\"{Svg.Escape(Svg.FontFamily)}\" font-size=\"{Svg.N(fs)}\" fill=\"#222222\">\n");
        if (o.Title is not null)
            sb.Append($"<text class=\"title\" x=\"{Svg.N(10)}\" y=\"{Svg.N(fs * 1.4)}\" font-size=\"{Svg.N(fs * 1.15)}\" font-weight=\"bold\"{Svg.DirectionAttributes(o.Title)}>{Svg.Escape(o.Title)}</text>\n");

        // Column (source) labels.
        for (int s = 0; s < m.S; s++)
        {
            string tok = m.Source[s];
            bool rtl = Svg.IsRightToLeft(tok);
            double cx = left + (s + 0.5) * cell;
            if (rotate)
            {
                double y = top - 6;
                // The label runs up and to the right from the column; its visual left end sits on the anchor.
                sb.Append($"<text class=\"source-label\" x=\"{Svg.N(cx)}\" y=\"{Svg.N(y)}\" transform=\"rotate(-45 {Svg.N(cx)} {Svg.N(y)})\" ")
                  .Append($"text-anchor=\"{(rtl ? "end" : "start")}\"{Svg.DirectionAttributes(tok)}>{Svg.Escape(tok)}</text>\n");
            }
            else
            {
                sb.Append($"<text class=\"source-label\" x=\"{Svg.N(cx)}\" y=\"{Svg.N(top - 6)}\" text-anchor=\"middle\"{Svg.DirectionAttributes(tok)}>{Svg.Escape(tok)}</text>\n");
            }
        }

        // Row (target) labels, right-aligned against the grid whatever the script's direction.
        for (int t = 0; t < m.T; t++)
        {
            string tok = m.Target[t];
            bool rtl = Svg.IsRightToLeft(tok);
            double cy = top + (t + 0.5) * cell;
            sb.Append($"<text class=\"target-label\" x=\"{Svg.N(left - 6)}\" y=\"{Svg.N(cy)}\" dominant-baseline=\"central\" ")
              .Append($"text-anchor=\"{(rtl ? "start" : "end")}\"{Svg.DirectionAttributes(tok)}>{Svg.Escape(tok)}</text>\n");
        }

        // Cells.
        for (int t = 0; t < m.T; t++)
            for (int s = 0; s < m.S; s++)
            {
                float w = m.Weights[t][s];
                sb.Append($"<rect class=\"cell\" x=\"{Svg.N(left + s * cell)}\" y=\"{Svg.N(top + t * cell)}\" width=\"{Svg.N(cell)}\" height=\"{Svg.N(cell)}\" ")
                  .Append($"fill=\"{ColorScale.Hex(w)}\" data-s=\"{s}\" data-t=\"{t}\" data-weight=\"{w.ToString("R", CultureInfo.InvariantCulture)}\">")
                  .Append($"<title>{Svg.Escape(m.Source[s])} → {Svg.Escape(m.Target[t])}: {w.ToString("F3", CultureInfo.InvariantCulture)}</title></rect>\n");
            }
        sb.Append($"<rect x=\"{Svg.N(left)}\" y=\"{Svg.N(top)}\" width=\"{Svg.N(gridW)}\" height=\"{Svg.N(gridH)}\" fill=\"none\" stroke=\"#888888\"/>\n");

        AppendLegend(sb, legendX, top, legendH, fs);
        sb.Append("</g>\n</svg>\n");
        return sb.ToString();
    }

    private static void AppendLegend(StringBuilder sb, double x, double y, double h, double fs)
    {
        sb.Append("<defs><linearGradient id=\"attn-scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        foreach (var (at, hex) in ColorScale.GradientStops())
            sb.Append($"<stop offset=\"{Svg.N(at)}\" stop-color=\"{hex}\"/>");
        sb.Append("</linearGradient></defs>\n");
        sb.Append($"<g class=\"legend\"><rect x=\"{Svg.N(x)}\" y=\"{Svg.N(y)}\" width=\"14\" height=\"{Svg.N(h)}\" fill=\"url(#attn-scale)\" stroke=\"#888888\"/>\n");
        foreach (double v in new[] { 1.0, 0.5, 0.0 })
        {
            double ty = y + (1 - v) * h;
            sb.Append($"<line x1=\"{Svg.N(x + 14)}\" y1=\"{Svg.N(ty)}\" x2=\"{Svg.N(x + 18)}\" y2=\"{Svg.N(ty)}\" stroke=\"#444444\"/>")
              .Append($"<text x=\"{Svg.N(x + 21)}\" y=\"{Svg.N(ty)}\" dominant-baseline=\"central\" font-size=\"{Svg.N(fs * 0.85)}\">{v.ToString("0.0", CultureInfo.InvariantCulture)}</text>\n");
        }
        sb.Append("</g>\n");
    }
}
