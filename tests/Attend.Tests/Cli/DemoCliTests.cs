using System.Text.Json;
using Attend.Data;
using Attend.Demo;
using Attend.Runs;
using Attend.Tests.Training;

namespace Attend.Tests.Cli;

public class DemoCliTests
{
    /// <summary>
    /// `attend demo --json` on a tiny budget: the last line is one JSON object (sample_input, then per model
    /// attention, exact_match, run_dir = OUT/none or OUT/bahdanau, by_length buckets in increasing input
    /// length), the runs load, and the SVG heatmap is written.
    /// </summary>
    [Fact]
    public void Json_line_has_the_documented_shape_and_the_runs_load()
    {
        var dir = RepoPaths.TempDir("democli");
        try
        {
            var outDir = Path.Combine(dir, "demo");
            using var p = new CliProcess("demo", "--out", outDir, "--seconds", "1", "--train-size", "300", "--test-size", "60",
                "--hidden-size", "8", "--json", "--quiet");
            p.CloseInput();
            Assert.True(p.Wait(TimeSpan.FromSeconds(180)) == 0, p.Stderr);
            var last = p.Stdout.TrimEnd().Split('\n')[^1];
            using var doc = JsonDocument.Parse(last);
            var root = doc.RootElement;
            Assert.Equal(["sample_input", "models"], root.EnumerateObject().Select(x => x.Name));
            Assert.False(string.IsNullOrEmpty(root.GetProperty("sample_input").GetString()));
            var models = root.GetProperty("models").EnumerateArray().ToList();
            Assert.Equal(["none", "bahdanau"], models.Select(m => m.GetProperty("attention").GetString()));
            var order = DateTask.Buckets().ToList();
            foreach (var m in models)
            {
                double exact = m.GetProperty("exact_match").GetDouble();
                Assert.InRange(exact, 0, 1);
                var runDir = m.GetProperty("run_dir").GetString()!;
                Assert.Equal(Path.Combine(outDir, m.GetProperty("attention").GetString()!), runDir);
                Assert.NotNull(RunDirectory.LoadModel(runDir));
                var buckets = m.GetProperty("by_length").EnumerateArray().ToList();
                Assert.NotEmpty(buckets);
                var idx = buckets.Select(b => order.IndexOf(b.GetProperty("bucket").GetString()!)).ToList();
                Assert.DoesNotContain(-1, idx);
                Assert.Equal(idx.Order(), idx);
                Assert.Equal(60, buckets.Sum(b => b.GetProperty("count").GetInt32()));
                Assert.All(buckets, b => Assert.InRange(b.GetProperty("exact_match").GetDouble(), 0, 1));
            }
            Assert.Contains("Exact match on held-out dates", p.Stdout);
            Assert.Equal("svg", System.Xml.Linq.XDocument.Load(Path.Combine(outDir, "attention.svg")).Root!.Name.LocalName);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
