// Each way a run can be unusable gives a ModelLoadException that names the path and says what is wrong.
namespace Attend.Tests.FrontDoor;

[Collection(FrontDoorCollection.Name)]
public class LoadErrorTests(FrontDoorFixture fx)
{
    private static ModelLoadException Refused(ModelLoadProblem problem, string path, params string[] expected)
    {
        var e = Assert.Throws<ModelLoadException>(() => TranslationModel.Load(path));
        Assert.Equal(problem, e.Problem);
        Assert.StartsWith(e.Path + ": ", e.Message);
        foreach (var text in expected) Assert.Contains(text, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void A_missing_folder_is_not_found()
    {
        var path = Path.Combine(fx.Root, "no-such-run");
        Assert.Equal(path, Refused(ModelLoadProblem.NotFound, path, "no such run or checkpoint directory").Path);
    }

    [Fact]
    public void A_file_is_not_a_run()
    {
        var path = Path.Combine(fx.Attn, "metrics.jsonl");
        Refused(ModelLoadProblem.NotFound, path, "is a file");
    }

    [Fact]
    public void A_folder_without_a_checkpoint_says_what_it_expected()
    {
        var path = Path.Combine(fx.Root, "empty-run");
        Directory.CreateDirectory(path);
        Refused(ModelLoadProblem.NoCheckpoint, path, "no checkpoint here", "best/");
    }

    [Theory]
    [InlineData("trg.vocab")]
    [InlineData("src.vocab")]
    [InlineData("config.yaml")]
    [InlineData("model.json")]
    [InlineData("model.safetensors")]
    public void A_checkpoint_missing_a_file_names_the_file(string file)
    {
        var dir = fx.CopyOfCheckpoint("missing-" + file);
        File.Delete(Path.Combine(dir, file));
        Assert.Equal(dir, Refused(ModelLoadProblem.MissingFile, dir, file, "missing").Path);
    }

    [Fact]
    public void Damaged_weights_are_refused_by_their_hash()
    {
        var dir = fx.CopyOfCheckpoint("damaged-weights");
        var weights = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^5] ^= 0x5A;
        File.WriteAllBytes(weights, bytes);
        var e = Refused(ModelLoadProblem.Damaged, dir, "model.safetensors", "SHA-256");
        Assert.IsType<InvalidDataException>(e.InnerException);
    }

    [Fact]
    public void A_malformed_vocabulary_is_damaged()
    {
        var dir = fx.CopyOfCheckpoint("bad-vocab");
        File.WriteAllText(Path.Combine(dir, "src.vocab"), "not\ta\tvocabulary\n");
        Refused(ModelLoadProblem.Damaged, dir, "src.vocab");
    }

    [Fact]
    public void A_bpe_run_without_its_codes_names_them()
    {
        var dir = fx.CopyOfCheckpoint("no-codes");
        var config = Path.Combine(dir, "config.yaml");
        Assert.Contains("bpe_merges: 0", File.ReadAllText(config));
        File.WriteAllText(config, File.ReadAllText(config).Replace("bpe_merges: 0", "bpe_merges: 50"));
        Refused(ModelLoadProblem.MissingFile, dir, "bpe.codes", "data.bpe_merges is 50");
    }

    [Fact]
    public void An_ensemble_with_other_vocabularies_is_incompatible()
    {
        var e = Assert.Throws<ModelLoadException>(() => TranslationModel.Load(fx.Attn, fx.Plain));
        Assert.Equal(ModelLoadProblem.Incompatible, e.Problem);
        Assert.Contains("vocabularies differ", e.Message);
        Assert.StartsWith(Path.Combine(fx.Plain, "best"), e.Path);
    }

    [Fact]
    public void No_path_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => TranslationModel.Load());
        Assert.Throws<ArgumentException>(() => TranslationModel.Load(""));
    }
}
