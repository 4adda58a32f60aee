using Attend.Config;
using Attend.Runs;
using Microsoft.Extensions.Configuration;

namespace Attend.Server.Tests;

[Collection(ServerCollection.Name)]
public class ModelTests(ServerFixture fx)
{
    [Fact]
    public async Task Model_info_gives_config_vocab_sizes_parameters_and_training_metrics_of_the_checkpoint()
    {
        using var client = fx.Factory.CreateClient();
        var (response, info) = await Http.Get(client, "/api/model");
        Assert.Equal(200, (int)response.StatusCode);
        var loaded = RunDirectory.LoadModel(fx.Attn);
        Assert.Equal("attn", info.GetProperty("name").GetString());
        Assert.Equal(Path.GetFileName(new DirectoryInfo(loaded.Directory).ResolveLinkTarget(true)!.FullName), info.GetProperty("checkpoint").GetString());
        Assert.StartsWith("step-", info.GetProperty("checkpoint").GetString());
        Assert.Equal("bahdanau", info.GetProperty("attention").GetString());
        Assert.Equal(loaded.SourceVocab.Count, info.GetProperty("sourceVocab").GetInt32());
        Assert.Equal(loaded.TargetVocab.Count, info.GetProperty("targetVocab").GetInt32());
        Assert.Equal(loaded.Model.ParameterCount(), info.GetProperty("parameters").GetInt64());
        var config = info.GetProperty("config");
        Assert.Equal(24, config.GetProperty("model").GetProperty("hidden_size").GetInt32());
        // The keys of config.yaml, not the record's fields: vocabulary sizes come from the data and are no keys.
        Assert.Equal(ConfigLoader.Keys(typeof(Attend.Model.ModelConfig)), config.GetProperty("model").EnumerateObject().Select(p => p.Name));
        Assert.True(config.GetProperty("model").GetProperty("bidirectional").GetBoolean());
        Assert.Equal("char", config.GetProperty("data").GetProperty("tokenizer").GetString());
        var training = info.GetProperty("training");
        Assert.Equal(60, training.GetProperty("step").GetInt64());
        var validation = training.GetProperty("validation");
        Assert.Equal("valid", validation.GetProperty("kind").GetString());
        Assert.InRange(validation.GetProperty("step").GetInt64(), 1, 60);
        Assert.True(validation.GetProperty("loss").GetDouble() > 0);
    }

    [Fact]
    public async Task Every_model_is_listed_and_described_by_name()
    {
        using var client = fx.Factory.CreateClient();
        var (_, list) = await Http.Get(client, "/api/models");
        Assert.Equal(["attn", "plain"], list.EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.Equal([true, false], list.EnumerateArray().Select(m => m.GetProperty("isDefault").GetBoolean()));
        Assert.Equal(1, list[0].GetProperty("defaultBeam").GetInt32());
        var (r, plain) = await Http.Get(client, "/api/model/plain");
        Assert.Equal(200, (int)r.StatusCode);
        Assert.Equal("none", plain.GetProperty("attention").GetString());
        Assert.False(plain.GetProperty("hasAttention").GetBoolean());
    }

    [Theory]
    [InlineData("runs/demo/bahdanau", "bahdanau", "runs/demo/bahdanau")]
    [InlineData("runs/demo/bahdanau/best", "bahdanau", "runs/demo/bahdanau/best")]
    [InlineData("runs/x/step-0000120", "x", "runs/x/step-0000120")]
    [InlineData("fr=runs/en-fr", "fr", "runs/en-fr")]
    public void Model_specs_are_RUN_or_name_eq_RUN(string spec, string name, string path)
    {
        Assert.Equal(new ModelSpec(name, path), ModelSpec.Parse(spec));
    }

    [Fact]
    public void Options_refuse_no_model_a_duplicate_name_and_bad_limits()
    {
        Assert.Contains("no model to serve", Assert.Throws<ConfigException>(() => new ServerOptions().Validate()).Message);
        var two = new ServerOptions { Models = [new("a", "x"), new("a", "y")] };
        Assert.Contains("'a' is given twice", Assert.Throws<ConfigException>(() => two.Validate()).Message);
        var bad = new ServerOptions { Models = [new("a", "x")], MaxBeam = 0 };
        Assert.Contains("max beam: expected a positive integer, got 0", Assert.Throws<ConfigException>(() => bad.Validate()).Message);
    }

    [Fact]
    public void A_bad_run_directory_fails_at_startup_naming_it()
    {
        var options = new ServerOptions { Models = [new("gone", Path.Combine(fx.Root, "missing"))] };
        var e = Assert.Throws<ModelLoadException>(() => Models.ModelRegistry.Load(options));
        Assert.Contains("missing: no such run or checkpoint directory", e.Message);
    }

    [Fact]
    public async Task A_server_with_precision_int8_quantizes_its_models_and_says_so()
    {
        var options = new ServerOptions { Models = [new("attn", fx.Attn)], Precision = Attend.Tensors.Precision.Int8 };
        using var registry = Models.ModelRegistry.Load(options);
        Assert.Equal(Attend.Tensors.Precision.Int8, Attend.Model.ModelPrecision.Of(registry.Default.Loaded.Model));
        using var client = fx.Factory.CreateClient();
        var (_, info) = await Http.Get(client, "/api/model");
        Assert.Equal("fp32", info.GetProperty("precision").GetString());
    }

    [Fact]
    public void The_precision_setting_takes_fp32_int8_or_bf16()
    {
        IConfiguration Settings(string value) => new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Attend:Precision"] = value }).Build();
        Assert.Equal(Attend.Tensors.Precision.Bf16, ServerOptions.FromConfiguration(Settings("bf16")).Precision);
        var e = Assert.Throws<ConfigException>(() => ServerOptions.FromConfiguration(Settings("int4")));
        Assert.Contains("Attend:Precision: expected fp32, int8 or bf16, got 'int4'", e.Message);
    }
}
