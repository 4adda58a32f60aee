namespace Attend.Plots;

/// <summary>
/// A sequential white-to-dark-blue scale for weights in [0, 1]. Every channel decreases along the stops, so
/// darker always means more weight (and the scale survives greyscale printing).
/// </summary>
internal static class ColorScale
{
    private static readonly (double At, byte R, byte G, byte B)[] Stops =
    [
        (0.00, 0xF7, 0xFB, 0xFF),
        (0.25, 0xC6, 0xDB, 0xEF),
        (0.50, 0x6B, 0xAE, 0xD6),
        (0.75, 0x21, 0x71, 0xB5),
        (1.00, 0x08, 0x30, 0x6B),
    ];

    public static (byte R, byte G, byte B) Rgb(double weight)
    {
        double w = double.IsNaN(weight) ? 0 : Math.Clamp(weight, 0, 1);
        for (int i = 1; i < Stops.Length; i++)
        {
            if (w <= Stops[i].At)
            {
                var (a, b) = (Stops[i - 1], Stops[i]);
                double f = (w - a.At) / (b.At - a.At);
                return (Lerp(a.R, b.R, f), Lerp(a.G, b.G, f), Lerp(a.B, b.B, f));
            }
        }
        var last = Stops[^1];
        return (last.R, last.G, last.B);
    }

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + (b - a) * f);

    public static string Hex(double weight)
    {
        var (r, g, b) = Rgb(weight);
        return $"#{r:x2}{g:x2}{b:x2}";
    }

    /// <summary>Relative luminance (sRGB, 0..1), used to pick readable text over a cell and in tests.</summary>
    public static double Luminance(byte r, byte g, byte b)
    {
        static double Lin(byte c) { double s = c / 255.0; return s <= 0.04045 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4); }
        return 0.2126 * Lin(r) + 0.7152 * Lin(g) + 0.0722 * Lin(b);
    }

    public static IEnumerable<(double At, string Hex)> GradientStops() => Stops.Select(s => (s.At, $"#{s.R:x2}{s.G:x2}{s.B:x2}"));
}
