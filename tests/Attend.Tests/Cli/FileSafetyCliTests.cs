// The verbs never write over their inputs (by name, symlink or hard link), never leave a half-written output,
// refuse special files before reading, and `average` replaces only an averaged checkpoint.
using System.CommandLine;
using System.Diagnostics;
using Attend.Cli.Commands;
using Attend.Runs;
using Attend.Tests.Training;
using Attend.Training;

namespace Attend.Tests.Cli;

public class FileSafetyCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand("test") { TokenizeCommand.Build(), BpeCommand.Build(), TranslateCommand.Build(), AverageCommand.Build(), EvaluateCommand.Build() };
        var output = new StringWriter();
        var error = new StringWriter();
        int code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The input itself, a symbolic link to it and a hard link to it.</summary>
    private static string[] NamesOf(string dir, string input)
    {
        var sym = Path.Combine(dir, "sym.txt");
        File.CreateSymbolicLink(sym, input);
        var hard = Path.Combine(dir, "hard.txt");
        using (var ln = Process.Start("ln", [input, hard])) ln.WaitForExit();
        return [input, sym, hard];
    }

    [Fact]
    public void Translate_and_tokenize_refuse_an_output_that_is_their_input_by_name_symlink_or_hard_link()
    {
        var dir = RepoPaths.TempDir("same-file");
        try
        {
            var run = Path.Combine(dir, "run");
            TrainingRun.Start(TrainerTests.Tiny(run, 3), false, new RecordingObserver()).Run();
            var input = Path.Combine(dir, "in.txt");
            File.WriteAllText(input, "3/5/79\nmay 4, 1999\n");
            foreach (var output in NamesOf(dir, input))
            {
                foreach (var args in new[] { new[] { "translate", "--model", run, "--input", input, "--output", output },
                                             ["translate", "--model", run, "--input", input, "--attention", output],
                                             ["tokenize", "--input", input, "--output", output],
                                             ["bpe", "learn", "--input", input, "--output", output] })
                {
                    var r = Run(args);
                    Assert.Equal(2, r.Code);
                    Assert.Contains($"{output}: --{(args.Contains("--attention") ? "attention" : "output")} is the same file as --input {input}; refusing to overwrite an input", r.Err);
                }
                Assert.Equal("3/5/79\nmay 4, 1999\n", File.ReadAllText(input));
            }
            var ok = Run("translate", "--model", run, "--input", input, "--output", Path.Combine(dir, "out.txt"));
            Assert.Equal(0, ok.Code);
            Assert.Equal(2, File.ReadAllLines(Path.Combine(dir, "out.txt")).Length);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_verb_that_fails_halfway_leaves_the_old_output_intact()
    {
        var dir = RepoPaths.TempDir("atomic-out");
        try
        {
            var input = Path.Combine(dir, "in.tsv");
            File.WriteAllText(input, "a\tb\nonly one field\n");
            var output = Path.Combine(dir, "out.txt");
            File.WriteAllText(output, "previous result\n");
            var r = Run("tokenize", "--input", input, "--output", output, "--column", "1");
            Assert.Equal(2, r.Code);
            Assert.Contains("--column 1 needs 2", r.Err);
            Assert.Equal("previous result\n", File.ReadAllText(output));
            Assert.Equal(["in.tsv", "out.txt"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Special_files_are_refused_up_front_and_stdin_stays_allowed()
    {
        var dir = RepoPaths.TempDir("special");
        try
        {
            var fifo = Path.Combine(dir, "fifo");
            using (var p = Process.Start("mkfifo", [fifo])) p.WaitForExit();
            Assert.Equal("attend tokenize: /dev/zero: is not a regular file (a character device)\n", Run("tokenize", "--input", "/dev/zero").Err);
            Assert.Equal($"attend tokenize: {dir}: is a directory, not a file\n", Run("tokenize", "--input", dir).Err);
            Assert.Equal($"attend bpe apply: {fifo}: is not a regular file (a named pipe)\n", Run("bpe", "apply", "--codes", fifo).Err);
            Assert.Equal("attend evaluate: /dev/zero: is not a regular file (a character device)\n", Run("evaluate", "--hyp", "/dev/zero", "--ref", "/dev/zero").Err);
            Assert.Equal("attend translate: /dev/zero: is not a regular file (a character device)\n",
                Run("translate", "--model", dir, "--input", "/dev/zero", "--output", Path.Combine(dir, "o")).Err);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Average_replaces_an_earlier_average_but_refuses_any_other_existing_folder()
    {
        var dir = RepoPaths.TempDir("average");
        try
        {
            var run = Path.Combine(dir, "run");
            TrainingRun.Start(TrainerTests.Tiny(run, 14), false, new RecordingObserver()).Run();
            Assert.Equal(0, Run("average", "--model", run, "--last", "2").Code);
            Assert.Equal(0, Run("average", "--model", run, "--last", "2").Code);
            Assert.NotNull(RunDirectory.LoadModel(Path.Combine(run, "averaged")));
            var data = Path.Combine(dir, "data");
            Directory.CreateDirectory(data);
            File.WriteAllText(Path.Combine(data, "train.de"), "corpus\n");
            var r = Run("average", "--model", run, "--last", "2", "--output", data);
            Assert.Equal(2, r.Code);
            Assert.Contains($"{data}: --output exists and is not an averaged checkpoint", r.Err);
            Assert.Equal("corpus\n", File.ReadAllText(Path.Combine(data, "train.de")));
            var step = RunDirectory.StepDirs(run)[^1];
            Assert.Contains("being averaged", Run("average", "--model", run, "--last", "2", "--output", step).Err);
            Assert.NotNull(RunDirectory.LoadModel(step));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
