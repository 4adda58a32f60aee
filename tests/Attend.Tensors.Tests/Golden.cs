using Attend.Tensors.IO;
using Attend.Testing;

namespace Attend.Tensors.Tests;

/// <summary>Finds and loads the PyTorch golden fixtures, and compares with their tolerance.</summary>
internal static class Golden
{
    /// <summary>Path of a file in tests/fixtures/golden.</summary>
    public static string PathOf(string file) => Fixtures.FilePath("golden", file);

    public static SafeTensorsFile Load(string file) => SafeTensorsFile.Read(PathOf(file));

    /// <summary>
    /// The golden README's per-tensor check: max|a−e| ≤ 1e-4·max|e| + 1e-7 (scaled by the largest
    /// expected magnitude, so tiny gradients are not waved through by an absolute tolerance).
    /// </summary>
    public static void AssertClose(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rel = 1e-4, double abs = 1e-7)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double maxE = 0, maxD = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            maxE = Math.Max(maxE, Math.Abs(expected[i]));
            double d = Math.Abs((double)actual[i] - expected[i]);
            if (!(d <= maxD)) { maxD = d; worst = i; }
        }
        double limit = rel * maxE + abs;
        Assert.True(maxD <= limit,
            $"{what}: max |actual - expected| = {maxD:G4} at [{worst}] (actual {(worst >= 0 ? actual[worst] : 0)}, expected {(worst >= 0 ? expected[worst] : 0)}) exceeds {limit:G4} (max |expected| = {maxE:G4})");
    }

    /// <summary>The same check against a float64 reference.</summary>
    public static void AssertClose(string what, ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rel = 1e-4, double abs = 1e-7)
    {
        var e = new float[expected.Length];
        for (int i = 0; i < e.Length; i++) e[i] = (float)expected[i];
        AssertClose(what, e, actual, rel, abs);
    }
}
