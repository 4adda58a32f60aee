using Attend.Attention;
using Attend.Model;
using Attend.Nn;
using Attend.Tensors;

namespace Attend.Tests.Model;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("attend-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Seq2Seq NewModel(int hidden = 6) =>
        Seq2Seq.Create(TinyModels.Config(AttentionKind.LuongConcat, RnnKind.Lstm, hidden: hidden) with { InputFeeding = true }, 5);

    [Fact]
    public void Save_then_load_round_trips_weights_config_and_state_bit_exactly()
    {
        var model = NewModel();
        var path = Path.Combine(_dir, "model.safetensors");
        Checkpoint.Save(path, model, new VocabFingerprints("src:abc", "tgt:def"), new TrainingState(42, 3, new Rng(9).GetState()));
        var (loaded, info) = Checkpoint.Load(path);

        Assert.Equal(model.Config, info.Config);
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal("tgt:def", info.Vocab.Target);
        Assert.Equal(42, info.Training.Step);
        Assert.Equal(new Rng(9).GetState(), info.Training.RngState);
        var a = model.NamedParameters().ToList();
        var b = loaded.NamedParameters().ToList();
        Assert.Equal(a.Select(x => x.Name), b.Select(x => x.Name));
        for (int i = 0; i < a.Count; i++)
            Assert.True(a[i].Param.Data.SequenceEqual(b[i].Param.Data), $"{a[i].Name} differs after reload");

        // Saving the loaded model again gives the identical file.
        var again = Path.Combine(_dir, "again.safetensors");
        Checkpoint.Save(again, loaded);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));
    }

    [Fact]
    public void Loading_into_a_model_of_another_shape_names_the_tensor_and_both_shapes()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Checkpoint.Save(path, NewModel(hidden: 6));
        var other = NewModel(hidden: 7);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadWeights(other, path));
        Assert.Contains("'encoder.rnn.weight_ih_l0'", e.Message);
        Assert.Contains("[24, 5]", e.Message);
        Assert.Contains("[28, 5]", e.Message);
    }

    [Fact]
    public void Loading_into_a_model_with_other_names_names_the_tensor()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Checkpoint.Save(path, Seq2Seq.Create(TinyModels.Config(AttentionKind.Bahdanau), 1));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadWeights(Seq2Seq.Create(TinyModels.Config(AttentionKind.LuongGeneral), 1), path));
        Assert.Contains("decoder.", e.Message);
    }

    [Fact]
    public void A_corrupted_or_truncated_checkpoint_is_refused()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Checkpoint.Save(path, NewModel());
        var bytes = File.ReadAllBytes(path);

        bytes[^3] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("SHA-256", e.Message);

        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Throws<InvalidDataException>(() => Checkpoint.LoadWeights(NewModel(), path));
    }

    [Fact]
    public void An_unknown_config_key_in_the_sidecar_is_an_error_naming_it()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Checkpoint.Save(path, NewModel());
        var sidecar = Checkpoint.SidecarPath(path);
        File.WriteAllText(sidecar, File.ReadAllText(sidecar).Replace("\"HiddenSize\"", "\"HiddenSise\""));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("HiddenSise", e.Message);
    }
}
