using Attend.Corpus;
using Attend.Testing;
using Attend.Tests.Training;

namespace Attend.Tests.Cli;

public class PrepareCliTests
{
    [Fact]
    public void Prepare_writes_a_folder_training_can_open_and_refuses_to_write_over_one()
    {
        var dir = RepoPaths.TempDir("prepare");
        try
        {
            string config = Path.Combine(dir, "c.yaml"), outDir = Path.Combine(dir, "prepared");
            File.WriteAllText(config, $"name: p\ndata:\n  source: files\n  dir: {Fixtures.Dir("data", "multi30k")}\n  train: val\n  dev: test_2016_flickr\n  src: de\n  trg: en\n  bpe_merges: 200\n  shard_pairs: 400\n");
            using (var p = new CliProcess("prepare", config, "--out", outDir, "--quiet"))
            {
                Assert.True(p.Wait(TimeSpan.FromSeconds(120)) == 0, p.Stderr);
                Assert.Contains("train: ", p.Stdout);
                Assert.Contains("train: shard", p.Stderr); // a line per shard with --quiet
            }
            var c = PreparedCorpus.Open(outDir);
            Assert.Equal(3, c.Shards("train").Count);
            Assert.Equal(1000, c.Manifest.Splits["dev"].Pairs);

            using (var again = new CliProcess("prepare", config, "--out", outDir, "--quiet"))
            {
                Assert.Equal(2, again.Wait(TimeSpan.FromSeconds(60)));
                Assert.Contains("not empty", again.Stderr);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
