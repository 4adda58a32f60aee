using Attend.Runs;
using Attend.Tensors;
using Attend.Tests.Training;
using Attend.Training;

namespace Attend.Tests.Cli;

/// <summary>`attend quantize` and `--precision` on translate, through the real command line.</summary>
public sealed class QuantizeCliTests : IDisposable
{
    private readonly string _dir = RepoPaths.TempDir("quantize");
    private string Run => Path.Combine(_dir, "run");

    public QuantizeCliTests() => TrainingRun.Start(TrainerTests.Tiny(Run, 3), false, new RecordingObserver()).Run();

    public void Dispose() => Directory.Delete(_dir, true);

    private static (int Code, string Out, string Err) Attend(string? stdin, params string[] args)
    {
        using var p = new CliProcess(args);
        if (stdin is not null) p.WriteLine(stdin);
        p.CloseInput();
        int code = p.Wait(TimeSpan.FromSeconds(120));
        return (code, p.Stdout, p.Stderr);
    }

    [Fact]
    public void Quantize_writes_a_checkpoint_that_translate_loads_as_stored()
    {
        var int8 = Path.Combine(_dir, "int8");
        var (code, stdout, err) = Attend(null, "quantize", "--model", Run, "--out", int8);
        Assert.True(code == 0, err);
        Assert.Contains("int8 checkpoint", stdout);
        Assert.Contains("of fp32", stdout);
        foreach (var f in new[] { "model.safetensors", "model.json", "config.yaml", "src.vocab", "trg.vocab" })
            Assert.True(File.Exists(Path.Combine(int8, f)), f);
        Assert.Empty(Directory.GetDirectories(_dir, ".tmp-*"));
        Assert.Equal(Precision.Int8, global::Attend.Model.ModelPrecision.Of(RunDirectory.LoadModel(int8).Model));
        var (_, info) = global::Attend.Model.Checkpoint.Load(Path.Combine(int8, "model.safetensors"));
        var (_, fp32Info) = global::Attend.Model.Checkpoint.Load(Path.Combine(RunDirectory.Resolve(Run), "model.safetensors"));
        Assert.Equal(fp32Info.Training.Step, info.Training.Step); // where training stood is kept
        Assert.True(info.Training.Step > 0);

        // The stored int8 checkpoint translates as the fp32 run quantized at load time, bit for bit.
        var stored = Attend("3/5/79", "translate", "--model", int8, "--beam", "2", "--nbest", "2");
        var atLoad = Attend("3/5/79", "translate", "--model", Run, "--precision", "int8", "--beam", "2", "--nbest", "2");
        Assert.True(stored.Code == 0, stored.Err);
        Assert.True(atLoad.Code == 0, atLoad.Err);
        Assert.Equal(atLoad.Out, stored.Out);
        Assert.NotEmpty(stored.Out.Trim());

        // bf16 too; an ensemble may mix precisions.
        var bf16 = Path.Combine(_dir, "bf16");
        Assert.Equal(0, Attend(null, "quantize", "--model", Run, "--out", bf16, "--precision", "bf16").Code);
        Assert.True(new FileInfo(Path.Combine(bf16, "model.safetensors")).Length > new FileInfo(Path.Combine(int8, "model.safetensors")).Length);
        var ensemble = Attend("3/5/79", "translate", "--model", int8, "--model", bf16, "--model", Run, "--beam", "1");
        Assert.True(ensemble.Code == 0, ensemble.Err);
    }

    [Fact]
    public void Bad_precisions_and_destinations_are_clear_errors()
    {
        var int8 = Path.Combine(_dir, "int8");
        Assert.Equal(0, Attend(null, "quantize", "--model", Run, "--out", int8).Code);

        var (code, _, err) = Attend(null, "quantize", "--model", Run, "--out", int8);
        Assert.Equal(2, code);
        Assert.Contains($"{int8}: already exists", err);

        (code, _, err) = Attend(null, "quantize", "--model", int8, "--out", Path.Combine(_dir, "again"));
        Assert.Equal(2, code);
        Assert.Contains("already int8", err);

        (code, _, err) = Attend(null, "quantize", "--model", Run, "--out", Path.Combine(_dir, "fp32"), "--precision", "fp32");
        Assert.Equal(2, code);
        Assert.Contains("--precision", err);

        (code, _, err) = Attend("3/5/79", "translate", "--model", Run, "--precision", "int4");
        Assert.Equal(2, code);
        Assert.Contains("--precision: expected fp32, int8 or bf16, got 'int4'", err);

        (code, _, err) = Attend("3/5/79", "translate", "--model", int8, "--precision", "bf16");
        Assert.Equal(2, code);
        Assert.Contains("holds int8 weights and cannot run in bf16", err);
        Assert.DoesNotContain("   at ", err);
    }
}
