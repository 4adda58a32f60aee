using Attend.Tests.Cli;

namespace Attend.Tests.Distributed;

/// <summary>`mpirun -np N attend translate` writes what one process writes, in input order.</summary>
[Collection(DebugRunsCollection.Name)]
public class ShardedTranslateTests(DebugRuns runs)
{
    [Fact]
    public void Three_ranks_from_a_file_and_two_from_stdin_write_the_single_process_output()
    {
        var input = Path.Combine(runs.One, "dev.src");
        string expected;
        using (var one = new CliProcess("translate", "--model", runs.One, "--input", input, "--beam", "2", "--nbest", "2"))
        {
            Assert.Equal(0, one.Wait(DebugRuns.Limit));
            expected = one.Stdout;
        }
        Assert.Equal(200, expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        using (var three = new MpiRun(3, "translate", "--model", runs.One, "--input", input, "--beam", "2", "--nbest", "2"))
        {
            three.Succeed(DebugRuns.Limit);
            Assert.Equal(expected, three.Stdout);
        }
        using var two = new MpiRun(2, "translate", "--model", runs.One, "--beam", "2", "--nbest", "2");
        two.Input(File.ReadAllText(input));
        two.Succeed(DebugRuns.Limit);
        Assert.Equal(expected, two.Stdout);
    }
}
