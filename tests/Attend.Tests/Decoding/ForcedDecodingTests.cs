using Attend.Decoding;
using Attend.Runs;
using Attend.Tests.Cli;
using Attend.Tests.Training;
using Attend.Training;

namespace Attend.Tests.Decoding;

public class ForcedDecodingTests
{
    [Fact]
    public void Forcing_the_greedy_output_reproduces_its_attention_and_log_probability()
    {
        var dir = RepoPaths.TempDir("forced");
        try
        {
            var run = Path.Combine(dir, "run");
            TrainingRun.Start(TrainerTests.Tiny(run, 40), false, new RecordingObserver()).Run();
            var m = RunDirectory.LoadModel(run);
            foreach (var line in new[] { "3/5/79", "May 3, 1979", "12.10.2001" })
            {
                var source = m.Text.Tokenize(line);
                var greedy = TextTranslator.Translate(m, [m.Model], [source], new SearchOptions(BeamSize: 1))[0][0];
                var content = greedy.TargetTokens.Where(t => t != TextTranslator.EndOfSentence).ToArray();
                var forced = TextTranslator.Force(m, source, content);
                Assert.Equal([.. content, TextTranslator.EndOfSentence], forced.TargetTokens);
                Assert.Equal(source, forced.SourceTokens);
                Assert.Equal(greedy.Text, forced.Text);
                Assert.NotNull(forced.Attention);
                Assert.Equal(content.Length + 1, forced.Attention!.GetLength(0));
                // The step-by-step search and the one teacher-forced pass compute the same rows.
                int rows = Math.Min(greedy.Attention!.GetLength(0), forced.Attention.GetLength(0));
                for (int t = 0; t < rows; t++)
                {
                    double sum = 0;
                    for (int j = 0; j < source.Length; j++)
                    {
                        Assert.Equal(greedy.Attention[t, j], forced.Attention[t, j], 1e-5f);
                        sum += forced.Attention[t, j];
                    }
                    Assert.Equal(1.0, sum, 1e-5);
                }
                if (greedy.TargetTokens[^1] == TextTranslator.EndOfSentence)
                    Assert.Equal(greedy.LogProb, forced.LogProb, 1e-4);
                Assert.Equal(greedy.Alignment.Split(' ').Take(content.Length), forced.Alignment.Split(' ').Take(content.Length));
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Plot_attention_draws_a_given_translation_and_rejects_target_without_model()
    {
        var dir = RepoPaths.TempDir("forcedplot");
        try
        {
            var run = Path.Combine(dir, "run");
            TrainingRun.Start(TrainerTests.Tiny(run, 3), false, new RecordingObserver()).Run();
            var svg = Path.Combine(dir, "forced.svg");
            using (var p = new CliProcess("plot", "attention", "--model", run, "--text", "3/5/79", "--target", "1979-03-05", "--terminal", "--out", svg))
            {
                p.CloseInput();
                Assert.Equal(0, p.Wait(TimeSpan.FromSeconds(60)));
                // One row per given character and one for </s>, whatever the model would have said itself.
                Assert.Contains("</s>", p.Stdout);
            }
            // The rows are the given translation's characters, not what the model would have written.
            var rows = System.Xml.Linq.XDocument.Load(svg).Descendants()
                .Where(e => e.Name.LocalName == "text" && (string?)e.Attribute("class") == "target-label").Select(e => e.Value).ToList();
            Assert.Equal([.. "1979-03-05".Select(ch => ch.ToString()), "</s>"], rows);
            using (var p = new CliProcess("plot", "attention", "--attention", svg, "--target", "x", "--out", svg))
            {
                p.CloseInput();
                Assert.Equal(2, p.Wait(TimeSpan.FromSeconds(60)));
                Assert.Contains("--target needs --model", p.Stderr);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
