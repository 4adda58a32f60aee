using Attend.Attention;
using Attend.Config;

namespace Attend.Tests.Training;

public class ConfigTests
{
    [Fact]
    public void Keys_bind_onto_typed_records_and_unset_keys_keep_defaults()
    {
        var c = ConfigLoader.Load("name: x\nmodel:\n  attention: luong_general\n  hidden_size: 32\ntraining:\n  lr: 0.01\n  schedule: inverse_sqrt\n");
        Assert.Equal("x", c.Name);
        Assert.Equal(AttentionKind.LuongGeneral, c.Model.Attention);
        Assert.Equal(32, c.Model.HiddenSize);
        Assert.Equal(0.01, c.Training.Lr);
        Assert.Equal(LrSchedule.InverseSqrt, c.Training.Schedule);
        Assert.Equal(new RunConfig().Model.EmbeddingSize, c.Model.EmbeddingSize);
    }

    [Theory]
    [InlineData("training:\n  lr: abc\n", "cfg.yaml:2: training.lr: expected a positive number, got \"abc\"")]
    [InlineData("training:\n  lr: -1\n", "training.lr: expected a positive number, got \"-1\"")]
    [InlineData("training:\n  batch_size: 2.5\n", "training.batch_size: expected a positive integer")]
    [InlineData("model:\n  dropout: 1\n", "model.dropout: expected a number in [0, 1)")]
    [InlineData("model:\n  attention: luong\n", "model.attention: expected one of none, bahdanau, luong_dot")]
    [InlineData("model:\n  bidirectional: maybe\n", "model.bidirectional: expected true or false")]
    [InlineData("training:\n  lrr: 1\n", "cfg.yaml:2: unknown key 'training.lrr'")]
    [InlineData("trainin:\n  lr: 1\n", "cfg.yaml:1: unknown key 'trainin'")]
    [InlineData("model: 3\n", "model: expected a mapping")]
    [InlineData("training:\n  lr: [1, 2]\n", "training.lr: expected a single value, got a list")]
    public void Bad_values_and_unknown_keys_name_the_key_and_line(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(yaml, "cfg.yaml"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Overrides_apply_after_the_file_with_the_same_checks()
    {
        var c = ConfigLoader.Load("training:\n  lr: 0.1\n", "f", ["training.lr=0.001", "model.attention=none", "name=over"]);
        Assert.Equal(0.001, c.Training.Lr);
        Assert.Equal(AttentionKind.None, c.Model.Attention);
        Assert.Equal("over", c.Name);
        Assert.Contains("training.lr: expected a positive number, got \"x\"",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load("", "f", ["training.lr=x"])).Message);
        Assert.Contains("unknown key 'training.nope'",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load("", "f", ["training.nope=1"])).Message);
        Assert.Contains("expected KEY=VALUE",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load("", "f", ["training.lr"])).Message);
    }

    [Fact]
    public void The_saved_yaml_reloads_to_an_equal_config()
    {
        var c = ConfigLoader.Load("name: \"a \\\"b\\\"\"\nmodel:\n  attention: luong_dot\n  memory: sum\ntraining:\n  lr: 0.00123\n  label_smoothing: 0.1\n");
        var again = ConfigLoader.Load(ConfigLoader.ToYaml(c));
        Assert.Equal(c, again);
    }

    [Fact]
    public void Readme_documents_every_key_with_its_default()
    {
        var path = Path.Combine(RepoPaths.Root, "configs", "README.md");
        var readme = File.ReadAllText(path).ReplaceLineEndings("\n");
        // ATTEND_UPDATE_DOCS=1 regenerates the key table in place (then review the diff).
        if (Environment.GetEnvironmentVariable("ATTEND_UPDATE_DOCS") == "1")
        {
            int begin = readme.IndexOf(ConfigDocs.BeginMarker, StringComparison.Ordinal);
            int end = readme.IndexOf(ConfigDocs.EndMarker, StringComparison.Ordinal);
            readme = begin < 0 ? readme + ConfigDocs.Markdown()
                : readme[..begin] + ConfigDocs.Markdown() + readme[(end + ConfigDocs.EndMarker.Length + 1)..];
            File.WriteAllText(path, readme);
        }
        Assert.Contains(ConfigDocs.Markdown(), readme);
    }

    [Theory]
    [InlineData("debug.yaml")]
    [InlineData("dates.yaml")]
    [InlineData("tatoeba-fr-en/bahdanau.yaml")]
    public void Shipped_configs_load(string file)
    {
        var c = ConfigLoader.LoadFile(Path.Combine(RepoPaths.Root, "configs", file));
        Assert.False(string.IsNullOrEmpty(c.Name));
    }

    [Fact]
    public void The_five_multi30k_configs_differ_only_in_name_and_attention()
    {
        var dir = Path.Combine(RepoPaths.Root, "configs", "multi30k-de-en");
        var kinds = new Dictionary<string, Attend.Attention.AttentionKind>
        {
            ["none"] = Attend.Attention.AttentionKind.None, ["bahdanau"] = Attend.Attention.AttentionKind.Bahdanau,
            ["luong-dot"] = Attend.Attention.AttentionKind.LuongDot, ["luong-general"] = Attend.Attention.AttentionKind.LuongGeneral,
            ["luong-concat"] = Attend.Attention.AttentionKind.LuongConcat,
        };
        Assert.Equal(kinds.Keys.Order(), Directory.GetFiles(dir, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order());
        var reference = ConfigLoader.LoadFile(Path.Combine(dir, "bahdanau.yaml"));
        Assert.Equal("data/multi30k", reference.Data.Dir);
        Assert.Equal(StopMetric.Bleu, reference.Training.EarlyStoppingMetric);
        foreach (var (name, kind) in kinds)
        {
            var c = ConfigLoader.LoadFile(Path.Combine(dir, name + ".yaml"));
            Assert.Equal("multi30k-de-en-" + name, c.Name);
            Assert.Equal(kind, c.Model.Attention);
            Assert.Equal(reference with { Name = c.Name, Model = reference.Model with { Attention = kind } }, c);
        }
    }
}
