using Attend.Tensors.IO;

namespace Attend.Tests.Distributed;

/// <summary>`mpirun -np N attend train` trains the model one process trains, up to float summation order.</summary>
[Collection(DebugRunsCollection.Name)]
public class DataParallelTrainingTests(DebugRuns runs)
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void First_update_gradients_of_N_ranks_equal_one_process_within_1e_5_of_the_largest(int ranks)
    {
        var one = SafeTensorsFile.Read(runs.Gradients(runs.One));
        var many = SafeTensorsFile.Read(runs.Gradients(ranks == 2 ? runs.Two : runs.Three));
        Assert.Equal(one.Names.Order(), many.Names.Order());
        double largest = one.Names.Max(n => one.GetFloat(n).Data.Max(MathF.Abs));
        Assert.True(largest > 0);
        foreach (var name in one.Names)
        {
            var (a, b) = (one.GetFloat(name).Data, many.GetFloat(name).Data);
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5 * largest, $"{name}[{i}]: {a[i]} on one process, {b[i]} on {ranks} ranks (max |g| {largest})");
        }
    }

    [Fact]
    public void Hundred_updates_on_2_ranks_give_losses_within_1_percent_and_dev_bleu_within_half_a_point()
    {
        var one = DebugRuns.Metrics(runs.One, "train");
        var two = DebugRuns.Metrics(runs.Two, "train");
        Assert.Equal(one.Select(e => e.GetProperty("step").GetInt64()), two.Select(e => e.GetProperty("step").GetInt64()));
        Assert.Equal(100, one[^1].GetProperty("step").GetInt64());
        for (int i = 0; i < one.Count; i++)
        {
            double a = one[i].GetProperty("loss").GetDouble(), b = two[i].GetProperty("loss").GetDouble();
            Assert.True(Math.Abs(a - b) <= 0.01 * a, $"step {one[i].GetProperty("step")}: loss {a} on one process, {b} on 2 ranks");
        }
        var (v1, v2) = (DebugRuns.Metrics(runs.One, "valid")[^1], DebugRuns.Metrics(runs.Two, "valid")[^1]);
        Assert.Equal(100, v2.GetProperty("step").GetInt64());
        Assert.InRange(v2.GetProperty("bleu").GetDouble() - v1.GetProperty("bleu").GetDouble(), -0.5, 0.5);
    }

    [Fact]
    public void Every_metrics_line_carries_the_rank_count_and_rank_0_alone_wrote_the_run()
    {
        foreach (var (run, n) in new[] { (runs.One, 1), (runs.Two, 2) })
            foreach (var line in File.ReadLines(Path.Combine(run, "metrics.jsonl")))
                Assert.Contains($"\"ranks\":{n}", line);
        Assert.All(DebugRuns.Metrics(runs.Two, "train"), e => Assert.True(e.GetProperty("allreduce_ms").GetDouble() >= 0));
        // One writer: no second copy of a line, and checkpoints at the validations only.
        var lines = File.ReadAllLines(Path.Combine(runs.Two, "metrics.jsonl"));
        Assert.Equal(lines.Length, lines.Distinct().Count());
        Assert.Equal(["step-0000050", "step-0000100"], Directory.GetDirectories(runs.Two, "step-*").Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_run_of_2_ranks_resumes_on_3()
    {
        var copy = Path.Combine(runs.Dir, "resumed");
        CopyDir(runs.Two, copy);
        using (var three = new MpiRun(3, DebugRuns.Train(copy, 120, "--resume")))
        {
            three.Succeed(DebugRuns.Limit);
            Assert.Contains("resuming", three.Stderr);
            Assert.Contains("120 steps on 3 ranks", three.Stdout);
        }
        var train = DebugRuns.Metrics(copy, "train");
        Assert.Equal(120, train[^1].GetProperty("step").GetInt64());
        Assert.Equal(3, train[^1].GetProperty("ranks").GetInt32());
        Assert.Equal(2, train.Single(e => e.GetProperty("step").GetInt64() == 100).GetProperty("ranks").GetInt32());
    }

    private static void CopyDir(string from, string to)
    {
        // Through cp -a: the run holds symbolic links (best, last) that must stay links.
        using var cp = System.Diagnostics.Process.Start("cp", ["-a", from, to])!;
        cp.WaitForExit();
        Assert.Equal(0, cp.ExitCode);
    }
}
