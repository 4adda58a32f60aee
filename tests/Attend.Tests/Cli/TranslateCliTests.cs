using System.Text.Json;
using Attend.Decoding;
using Attend.Runs;
using Attend.Tests.Training;
using Attend.Training;

namespace Attend.Tests.Cli;

public class TranslateCliTests
{
    [Fact]
    public void Translate_streams_line_by_line_and_writes_alignments_and_attention()
    {
        var dir = RepoPaths.TempDir("translate");
        try
        {
            var run = Path.Combine(dir, "run");
            TrainingRun.Start(TrainerTests.Tiny(run, 3), false, new RecordingObserver()).Run();
            var att = Path.Combine(dir, "att.json");
            using var p = new CliProcess("translate", "--model", run, "--alignments", "--attention", att, "--beam", "1");
            // The answer to the first line arrives before the second is sent: the command streams.
            p.WriteLine("3/5/79");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (p.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length < 1 && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Assert.Single(p.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            p.WriteLine("May 3, 1979");
            p.CloseInput();
            Assert.Equal(0, p.Wait(TimeSpan.FromSeconds(60)));
            var lines = p.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.All(lines, l => Assert.Matches(@"^.* \|\|\| (\d+-\d+( \d+-\d+)*)?$", l));
            using var doc = JsonDocument.Parse(File.ReadAllText(att));
            Assert.Equal(2, doc.RootElement.GetArrayLength());
            Assert.Equal(6, doc.RootElement[0].GetProperty("source").GetArrayLength()); // "3/5/79" in characters
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_file_gives_one_line_and_one_matrix_per_input_line_an_empty_line_included_and_tokens_on_request()
    {
        var dir = RepoPaths.TempDir("translate-file");
        try
        {
            var run = Path.Combine(dir, "run");
            // Enough updates that the model ends some outputs with </s>, which --tokens leaves out as the text does.
            TrainingRun.Start(TrainerTests.Tiny(run, 40), false, new RecordingObserver()).Run();
            string input = Path.Combine(dir, "in.txt"), output = Path.Combine(dir, "out.txt"), att = Path.Combine(dir, "att.json");
            string[] texts = ["3/5/79", "", "May 3, 1979"];
            File.WriteAllText(input, string.Join('\n', texts) + "\n");
            using (var p = new CliProcess("translate", "--model", run, "--input", input, "--output", output, "--attention", att, "--tokens", "--beam", "1"))
                Assert.Equal(0, p.Wait(TimeSpan.FromSeconds(60)));
            // The library's text pipeline on the same batch, with the target tokens joined by spaces.
            var m = RunDirectory.LoadModel(run);
            var t = m.Config.Testing;
            var search = new SearchOptions(1, t.Alpha, t.MaxOutputRatio, 1, t.BatchSize);
            var expected = TextTranslator.Translate(m, texts, search, new TextOptions(RawTokens: true));
            Assert.Contains(expected, h => h[0].TargetTokens is [.., Translation.EndOfSentence]);
            Assert.Equal(expected.Select(h => h[0].Text), File.ReadAllLines(output));
            Assert.Equal("", File.ReadAllLines(output)[1]);
            using var doc = JsonDocument.Parse(File.ReadAllText(att));
            Assert.Equal(3, doc.RootElement.GetArrayLength());
            Assert.Equal(0, doc.RootElement[1].GetProperty("source").GetArrayLength());
            Assert.Equal(expected[2][0].TargetTokens.Length, doc.RootElement[2].GetProperty("attention").GetArrayLength());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Plot_attention_translates_text_with_a_run_and_draws_the_same_matrix_translate_writes()
    {
        var dir = RepoPaths.TempDir("plotmodel");
        try
        {
            var run = Path.Combine(dir, "run");
            TrainingRun.Start(TrainerTests.Tiny(run, 3), false, new RecordingObserver()).Run();
            var att = Path.Combine(dir, "att.json");
            using (var t = new CliProcess("translate", "--model", run, "--attention", att, "--beam", "1"))
            {
                t.WriteLine("3/5/79");
                t.CloseInput();
                Assert.Equal(0, t.Wait(TimeSpan.FromSeconds(60)));
            }
            var svg = Path.Combine(dir, "heat.svg");
            using (var p = new CliProcess("plot", "attention", "--model", run, "--text", "3/5/79", "--out", svg))
            {
                p.CloseInput();
                Assert.Equal(0, p.Wait(TimeSpan.FromSeconds(60)));
            }
            // Same sentence, same greedy search: the picture drawn from the run is the one drawn from translate's file.
            var fromFile = Path.Combine(dir, "file.svg");
            using (var p = new CliProcess("plot", "attention", "--attention", att, "--out", fromFile))
            {
                p.CloseInput();
                Assert.Equal(0, p.Wait(TimeSpan.FromSeconds(60)));
            }
            Assert.Equal(File.ReadAllText(fromFile), File.ReadAllText(svg));
            var rects = System.Xml.Linq.XDocument.Load(svg).Descendants().Count(e => e.Name.LocalName == "rect");
            Assert.True(rects >= 6, $"expected at least one cell per source character, found {rects} rects");
            using (var p = new CliProcess("plot", "attention", "--model", run, "--out", svg))
            {
                p.CloseInput();
                Assert.Equal(2, p.Wait(TimeSpan.FromSeconds(60)));
                Assert.Contains("--model needs --text", p.Stderr);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Bad_inputs_exit_2_with_one_line_naming_the_problem()
    {
        var dir = RepoPaths.TempDir("badcli");
        try
        {
            var cfg = Path.Combine(dir, "bad.yaml");
            File.WriteAllText(cfg, "name: x\ntraining:\n  lr: abc\n");
            using (var p = new CliProcess("train", cfg, "--quiet"))
            {
                Assert.Equal(2, p.Wait(TimeSpan.FromSeconds(60)));
                Assert.Contains("bad.yaml:3: training.lr: expected a positive number, got \"abc\"", p.Stderr);
            }
            using (var p = new CliProcess("train", Path.Combine(RepoPaths.Root, "configs", "debug.yaml"), "--set", "model.hidden_size=0"))
            {
                Assert.Equal(2, p.Wait(TimeSpan.FromSeconds(60)));
                Assert.Contains("model.hidden_size: expected a positive integer, got \"0\"", p.Stderr);
            }
            using (var p = new CliProcess("translate", "--model", Path.Combine(dir, "nothing")))
            {
                p.CloseInput();
                Assert.Equal(2, p.Wait(TimeSpan.FromSeconds(60)));
                Assert.Contains("no such run or checkpoint directory", p.Stderr);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
