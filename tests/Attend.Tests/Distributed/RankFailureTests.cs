using System.Diagnostics;
using Attend.Tests.Cli;
using Attend.Tests.Training;

namespace Attend.Tests.Distributed;

/// <summary>A rank that fails ends the whole job, quickly and with a non-zero exit; the errors of a missing MPI are one line.</summary>
public class RankFailureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static string[] LongRun(string runDir) =>
        DebugRuns.Train(runDir, 100_000, "--set", "training.epochs=1000", "--set", "training.validate_every=100000");

    /// <summary>Waits (at most two minutes) until rank 0 has logged update 10; false if the job ended first or never got there.</summary>
    private static bool WaitForUpdate10(string run, MpiRun job)
    {
        var metrics = Path.Combine(run, "metrics.jsonl");
        for (var until = DateTime.UtcNow + TimeSpan.FromMinutes(2); DateTime.UtcNow < until; Thread.Sleep(50))
        {
            bool ended = job.HasExited; // read first: a job that ended after writing the line still counts
            if (File.Exists(metrics) && File.ReadAllText(metrics).Contains("\"step\":10,", StringComparison.Ordinal)) return true;
            if (ended) return false;
        }
        return false;
    }

    [Fact]
    public void A_rank_that_throws_aborts_the_job_naming_the_rank_and_the_cause()
    {
        var dir = RepoPaths.TempDir("mpi-throw");
        try
        {
            var run = Path.Combine(dir, "run");
            using var job = new MpiRun(2, new Dictionary<string, string> { ["ATTEND_FAIL_AT"] = "1:12" }, LongRun(run));
            // The clock starts when rank 0 logs update 10 (a loaded machine may take long to start the ranks); rank 1 throws at 12.
            Assert.True(WaitForUpdate10(run, job), $"training did not start; stderr: {job.Stderr}");
            var clock = Stopwatch.StartNew();
            int code = job.Wait(Bound);
            Assert.NotEqual(0, code);
            Assert.Contains("attend train (rank 1 of 2): unexpected error (InvalidOperationException: injected failure at update 12", job.Stderr);
            Assert.True(clock.Elapsed < Bound);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_rank_killed_mid_run_ends_the_job_within_30_seconds()
    {
        var dir = RepoPaths.TempDir("mpi-kill");
        try
        {
            var run = Path.Combine(dir, "run");
            using var job = new MpiRun(2, LongRun(run));
            Assert.True(WaitForUpdate10(run, job), $"training did not start; stderr: {job.Stderr}");
            int pid = MpiRun.RankPid(1, run) ?? throw new InvalidOperationException("rank 1 not found");
            var clock = Stopwatch.StartNew();
            Process.GetProcessById(pid).Kill();
            int code = job.Wait(Bound);
            Assert.NotEqual(0, code);
            Assert.True(clock.Elapsed < Bound);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Distributed_mpi_outside_mpirun_is_a_one_line_error()
    {
        using var p = new CliProcess("train", Path.Combine(RepoPaths.Root, "configs", "debug.yaml"), "--distributed", "mpi");
        Assert.Equal(2, p.Wait(Bound));
        Assert.StartsWith("attend train: --distributed mpi: this process was not started by an MPI launcher", p.Stderr);
        Assert.Single(p.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_missing_Open_MPI_is_a_one_line_error_naming_the_Debian_packages()
    {
        var env = new Dictionary<string, string>
        {
            ["OMPI_COMM_WORLD_SIZE"] = "2", ["OMPI_COMM_WORLD_RANK"] = "0", ["ATTEND_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40",
        };
        var dir = RepoPaths.TempDir("mpi-missing");
        try
        {
            using var q = new CliProcess(env, "train", Path.Combine(RepoPaths.Root, "configs", "debug.yaml"), "--set", $"training.run_dir={dir}");
            Assert.Equal(2, q.Wait(Bound));
            Assert.Contains("/nonexistent/libmpi.so.40 (Open MPI 4) not found", q.Stderr);
            Assert.Contains("apt-get install openmpi-bin libopenmpi3", q.Stderr);
            Assert.Single(q.Stderr.Trim().Split('\n'));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
