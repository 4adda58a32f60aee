// Tiny runs trained once for the front-door tests: an attention run, a plain run with another vocabulary.
using Attend.Config;
using Attend.Model;
using Attend.Runs;
using Attend.Text;
using Attend.Training;

namespace Attend.Tests.FrontDoor;

/// <summary>
/// Two runs trained for a few updates each (seconds): "attn" (Bahdanau, char tokens, its run config asks for
/// beam 3 and α 0.6 so the defaults are not the library's) and "plain" (no attention, word tokens, so its
/// vocabularies differ from attn's). attn keeps its step folders, so an ensemble of two checkpoints exists.
/// </summary>
public sealed class FrontDoorFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"attend-frontdoor-{Environment.ProcessId}-{Guid.NewGuid():N}");
    public string Attn => Path.Combine(Root, "attn");
    public string Plain => Path.Combine(Root, "plain");

    /// <summary>Inputs of several lengths and date forms.</summary>
    public static readonly string[] Lines =
        ["3/5/79", "May 3, 1979", "on thursday, the third of may", "12.11.2003", "1 jan 2000", "7/7/07"];

    public FrontDoorFixture()
    {
        Train(Attn, "bahdanau", "char", 24);
        Train(Plain, "none", "word", 6);
    }

    /// <summary>The first step folder of attn (an older checkpoint than its best/ and last/).</summary>
    public string AttnFirstStep => RunDirectory.StepDirs(Attn)[0];

    private static void Train(string dir, string attention, string tokenizer, long steps)
    {
        var config = ConfigLoader.Load($"""
            name: {attention}
            seed: 5
            data:
              tokenizer: {tokenizer}
              demo_train_size: 320
              demo_dev_size: 8
              demo_test_size: 8
            model:
              attention: {attention}
              embedding_size: 12
              hidden_size: 24
            training:
              lr: 0.01
              batch_size: 32
              epochs: 100
              validate_every: 8
              keep_last: 10
              print_samples: 0
            testing:
              beam_size: 3
              alpha: 0.6
            """, "front-door-tests", [$"training.max_steps={steps}", $"training.run_dir={dir}"]);
        TrainingRun.Start(config, false, ITrainingObserver.Silent).Run();
    }

    /// <summary>A copy of attn's best checkpoint folder under a new name, for tests that damage it.</summary>
    public string CopyOfCheckpoint(string name) => CopyOf(RunDirectory.Resolve(Attn), name);

    private string CopyOf(string source, string name)
    {
        var copy = Path.Combine(Root, "copies", name);
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(source)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        return copy;
    }

    /// <summary>A copy of plain's checkpoint whose output bias for &lt;/s&gt; is so high that decoding stops at once.</summary>
    public string PlainThatStops() => Favouring(Plain, "plain-stops", Vocabulary.Eos);

    /// <summary>A copy of attn's checkpoint whose output bias for &lt;unk&gt; is so high that it is all it emits.</summary>
    public string AttnThatEmitsUnknowns() => Favouring(Attn, "attn-unk", Vocabulary.Unk);

    /// <summary>A copy of a run's checkpoint with the output bias of target id <paramref name="id"/> raised to 1e4.</summary>
    private string Favouring(string run, string name, int id)
    {
        var dir = CopyOf(RunDirectory.Resolve(run), name);
        var weights = Path.Combine(dir, "model.safetensors");
        var (model, info) = Checkpoint.Load(weights);
        model.NamedParameters().Single(p => p.Name == "decoder.out.bias").Param.Data[id] = 1e4f;
        Checkpoint.Save(weights, model, info.Vocab, info.Training);
        return dir;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class FrontDoorCollection : ICollectionFixture<FrontDoorFixture>
{
    public const string Name = "front door";
}
