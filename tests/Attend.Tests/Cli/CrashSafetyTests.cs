// A training run killed with SIGKILL again and again, at seeded random moments (before its first checkpoint,
// mid-save, between saves), resumed each time with --resume, ends with exactly the parameters of a run that
// was never interrupted, and no kill leaves a checkpoint folder that would load half-written.
using Attend.Runs;
using Attend.Tests.Training;
using Attend.Training;

namespace Attend.Tests.Cli;

[Trait("Category", "Slow")]
public class CrashSafetyTests
{
    private const int MaxSteps = 40;

    private static string WriteConfig(string dir, string runDir)
    {
        var path = Path.Combine(dir, Path.GetFileName(runDir) + ".yaml");
        File.WriteAllText(path, $"""
            name: crash
            seed: 5
            data:
              tokenizer: char
              demo_train_size: 320
              demo_dev_size: 8
              demo_test_size: 8
            model:
              embedding_size: 8
              hidden_size: 16
              dropout: 0.1
            training:
              batch_size: 32
              epochs: 1000
              max_steps: {MaxSteps}
              validate_every: 2
              log_every: 1
              patience: 0
              print_samples: 0
              run_dir: {runDir}
            """);
        return path;
    }

    private static bool WaitFor(Func<bool> condition, CliProcess p, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (condition()) return true;
            if (p.HasExited) return false;
            Thread.Sleep(5);
        }
        throw new TimeoutException("training made no progress: " + p.Stderr);
    }

    private static int Lines(string path)
    {
        try { return File.Exists(path) ? File.ReadAllLines(path).Length : 0; }
        catch (IOException) { return 0; }
    }

    /// <summary>Every step folder a later command would find loads completely: weights, vocabularies and trainer state.</summary>
    private static void AssertEveryCheckpointIsComplete(string run)
    {
        foreach (var step in RunDirectory.StepDirs(run))
        {
            var loaded = RunDirectory.LoadModel(step);
            var optimizer = new AdamOptimizer(loaded.Model.NamedParameters().ToList(), new AdamOptions(0.001f, 0.9f, 0.999f));
            RunCheckpoints.LoadTrainingState(step, optimizer);
        }
    }

    private static float[][] Parameters(string checkpoint) =>
        RunDirectory.LoadModel(checkpoint).Model.NamedParameters().Select(p => p.Param.Data.ToArray()).ToArray();

    [Fact]
    public void A_run_killed_at_random_moments_resumes_to_the_parameters_of_an_uninterrupted_run()
    {
        var dir = RepoPaths.TempDir("crash");
        try
        {
            var run = Path.Combine(dir, "killed");
            var cfg = WriteConfig(dir, run);
            var metrics = Path.Combine(run, MetricsLog.FileName);
            var slowSaves = new Dictionary<string, string> { ["ATTEND_SAVE_PAUSE_MS"] = "8" };
            var rng = new Random(24);
            int kills = 0;
            for (int round = 0; round < 6; round++)
            {
                string[] args = round == 0 ? ["train", cfg, "--quiet"] : ["train", cfg, "--quiet", "--resume"];
                int target = Lines(metrics) + 1 + rng.Next(8);
                using var p = new CliProcess(slowSaves, args);
                // Round 0 dies around its first checkpoint (often before it); later rounds a few logged steps in.
                bool running = round == 0
                    ? WaitFor(() => File.Exists(Path.Combine(run, "config.yaml")), p, TimeSpan.FromSeconds(60))
                    : WaitFor(() => Lines(metrics) >= target, p, TimeSpan.FromSeconds(60));
                if (!running) break; // finished before the kill came
                Thread.Sleep(rng.Next(round == 0 ? 300 : 60));
                p.KillNow();
                p.Wait(TimeSpan.FromSeconds(30));
                kills++;
                AssertEveryCheckpointIsComplete(run);
            }
            Assert.True(kills >= 4, $"only {kills} kills landed before the run finished");
            using (var finish = new CliProcess("train", cfg, "--quiet", "--resume"))
                Assert.True(finish.Wait(TimeSpan.FromSeconds(120)) == 0, finish.Stderr);
            AssertEveryCheckpointIsComplete(run);
            // The finished run cleared what the killed ones left half-written.
            Assert.Empty(Directory.GetFileSystemEntries(run, "*tmp*"));

            var straight = Path.Combine(dir, "straight");
            using (var reference = new CliProcess("train", WriteConfig(dir, straight), "--quiet"))
                Assert.True(reference.Wait(TimeSpan.FromSeconds(120)) == 0, reference.Stderr);
            var (a, b) = (Parameters(Path.Combine(run, RunDirectory.Last)), Parameters(Path.Combine(straight, RunDirectory.Last)));
            Assert.Equal(b.Length, a.Length);
            for (int i = 0; i < a.Length; i++)
                Assert.True(a[i].AsSpan().SequenceEqual(b[i]), $"parameter {i} differs after {kills} kills");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
