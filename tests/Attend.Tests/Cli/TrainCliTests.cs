using Attend.Tests.Training;

namespace Attend.Tests.Cli;

/// <summary>What `attend train` prints when its output is not a terminal (pipes, CI): progress lines, or with --quiet only validations.</summary>
public class TrainCliTests
{
    private static string Config(string dir)
    {
        var path = Path.Combine(dir, "cfg.yaml");
        File.WriteAllText(path, $"""
            name: cli
            data:
              tokenizer: char
              demo_train_size: 64
              demo_dev_size: 4
              demo_test_size: 4
            model:
              embedding_size: 8
              hidden_size: 8
            training:
              batch_size: 16
              max_steps: 4
              validate_every: 2
              log_every: 1
              print_samples: 1
              run_dir: {Path.Combine(dir, "run")}
              overwrite: true
            """);
        return path;
    }

    [Fact]
    public void Piped_output_has_progress_lines_and_quiet_keeps_only_validations_and_notes()
    {
        var dir = RepoPaths.TempDir("traincli");
        try
        {
            var cfg = Config(dir);
            string Run(params string[] extra)
            {
                using var p = new CliProcess(["train", cfg, .. extra]);
                p.CloseInput();
                Assert.Equal(0, p.Wait(TimeSpan.FromSeconds(120)));
                Assert.Matches(@"^MaxSteps: 4 steps; best \d+ ", p.Stdout);
                return p.Stderr;
            }
            var verbose = Run().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            // One progress line per logged step: epoch, step, loss, rate, target tokens/s, fraction of the budget.
            var progress = verbose.Where(l => l.StartsWith("epoch ")).ToList();
            Assert.Equal(4, progress.Count);
            Assert.All(progress, l => Assert.Matches(@"^epoch 1 step [1-4] loss \d+\.\d{4} lr \S+ \d+ tgt tok/s \d+ ?%$", l));
            Assert.Equal(2, verbose.Count(l => l.StartsWith("valid step ")));
            Assert.Contains(verbose, l => l.StartsWith("  src: "));

            var quiet = Run("--quiet").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.DoesNotContain(quiet, l => l.StartsWith("epoch ") || l.StartsWith("  src: "));
            Assert.Equal(["valid step 2", "valid step 4"], quiet.Where(l => l.StartsWith("valid ")).Select(l => l[..12]));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
