using System.Text.Json;
using Attend.Tests.Cli;
using Attend.Tests.Training;

namespace Attend.Tests.Distributed;

/// <summary>
/// Runs shared by the data-parallel tests, made once: 100 updates of configs/debug.yaml on one process and on 2 ranks
/// (each dumping its first summed gradient, ATTEND_GRADIENT_DUMP), and the first update on 3 ranks.
/// </summary>
public sealed class DebugRuns : IDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    public string Dir { get; } = RepoPaths.TempDir("mpi");
    public string One => Path.Combine(Dir, "one");
    public string Two => Path.Combine(Dir, "two");
    public string Three => Path.Combine(Dir, "three");
    public string Gradients(string run) => run + ".gradients.safetensors";

    public static string[] Train(string runDir, int steps, params string[] more) =>
        ["train", Path.Combine(RepoPaths.Root, "configs", "debug.yaml"), "--quiet", "--set", $"training.run_dir={runDir}",
         "--set", $"training.max_steps={steps}", "--set", "training.validate_every=50", "--set", "training.print_samples=0", .. more];

    public DebugRuns()
    {
        using (var one = new CliProcess(new Dictionary<string, string> { ["ATTEND_GRADIENT_DUMP"] = Gradients(One) }, Train(One, 100)))
            Assert.True(one.Wait(Limit) == 0, one.Stderr);
        using (var two = new MpiRun(2, new Dictionary<string, string> { ["ATTEND_GRADIENT_DUMP"] = Gradients(Two) }, Train(Two, 100)))
            two.Succeed(Limit);
        using (var three = new MpiRun(3, new Dictionary<string, string> { ["ATTEND_GRADIENT_DUMP"] = Gradients(Three) }, Train(Three, 1)))
            three.Succeed(Limit);
    }

    /// <summary>The lines of a run's metrics.jsonl of one kind ("train", "valid").</summary>
    public static List<JsonElement> Metrics(string runDir, string kind) =>
        File.ReadLines(Path.Combine(runDir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == kind).ToList();

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class DebugRunsCollection : ICollectionFixture<DebugRuns>
{
    public const string Name = "mpi debug runs";
}
