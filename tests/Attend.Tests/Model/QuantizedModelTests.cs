using System.Text.Json;
using Attend.Attention;
using Attend.Decoding;
using Attend.Model;
using Attend.Nn;
using Attend.Tensors;
using Attend.Tensors.IO;
using Xunit.Abstractions;

namespace Attend.Tests.Model;

/// <summary>
/// A model in int8 or bf16: its translations stay those of fp32 (a model trained on the reverse task, every
/// attention), its checkpoint round-trips at a quarter (half) of the size, and damaged or mismatched files are
/// refused naming the tensor.
/// </summary>
[Trait("Category", "Slow")]
public sealed class QuantizedModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("attend-quant-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A copy of <paramref name="model"/> (the trained models are shared between tests and must stay fp32).</summary>
    private static Seq2Seq Copy(Seq2Seq model)
    {
        var copy = new Seq2Seq(model.Config);
        foreach (var ((_, from), (_, to)) in model.NamedParameters().Zip(copy.NamedParameters())) from.Data.CopyTo(to.Data);
        return copy;
    }

    private static Seq2Seq Quantized(Seq2Seq model, Precision precision)
    {
        var copy = Copy(model);
        ModelPrecision.Quantize(copy, precision);
        return copy;
    }

    private static (int Same, int Total) Agreement(int[][] a, int[][] b)
    {
        int same = 0, total = 0;
        for (int i = 0; i < a.Length; i++)
            for (int t = 0; t < a[i].Length; t++, total++)
                if (t < b[i].Length && a[i][t] == b[i][t]) same++;
        return (same, total);
    }

    // The bound: int8 and bf16 change a token only where fp32's two best are nearly tied; a model that learned its
    // task has few such places. 98% of tokens (greedy and beam 5) and the task's accuracy within a point of fp32.
    [Theory]
    [InlineData(AttentionKind.Bahdanau, Precision.Int8)]
    [InlineData(AttentionKind.LuongDot, Precision.Int8)]
    [InlineData(AttentionKind.LuongGeneral, Precision.Int8)]
    [InlineData(AttentionKind.LuongConcat, Precision.Int8)]
    [InlineData(AttentionKind.Bahdanau, Precision.Bf16)]
    [InlineData(AttentionKind.LuongConcat, Precision.Bf16)]
    public void Translations_stay_those_of_fp32(AttentionKind kind, Precision precision)
    {
        var fp32 = ReverseTaskTests.TrainedModel(kind);
        var q = Quantized(fp32, precision);
        Assert.Equal(precision, ModelPrecision.Of(q));
        var batch = ReverseTaskTests.RandomBatch(new Rng(4242), 100, 5, 15);
        var greedy = new GreedyOptions(batch.TargetLength + 2);
        var g32 = Greedy.Decode(fp32, batch.Source, batch.Batch, batch.SourceLengths, greedy).Tokens;
        var gq = Greedy.Decode(q, batch.Source, batch.Batch, batch.SourceLengths, greedy).Tokens;
        var beam = new BeamOptions(5, batch.TargetLength + 2);
        var b32 = BeamSearch.Decode(fp32, batch.Source, batch.Batch, batch.SourceLengths, beam).Tokens.Select(k => k[0]).ToArray();
        var bq = BeamSearch.Decode(q, batch.Source, batch.Batch, batch.SourceLengths, beam).Tokens.Select(k => k[0]).ToArray();
        var (gs, gt) = Agreement(g32, gq);
        var (bs, bt) = Agreement(b32, bq);
        output.WriteLine($"{kind} {precision}: greedy {gs}/{gt} tokens as fp32, beam 5 {bs}/{bt}");
        Assert.True(gs >= 0.98 * gt, $"greedy: {gs}/{gt} tokens as fp32");
        Assert.True(bs >= 0.98 * bt, $"beam 5: {bs}/{bt} tokens as fp32");
        double acc32 = ReverseTaskTests.Accuracy(fp32, 5, 15), accQ = ReverseTaskTests.Accuracy(q, 5, 15);
        Assert.True(accQ >= acc32 - 0.01, $"accuracy {accQ:P2} against fp32's {acc32:P2}");
    }

    [Theory]
    [InlineData(Precision.Int8)]
    [InlineData(Precision.Bf16)]
    public void A_checkpoint_round_trips_the_quantized_weights_and_translations(Precision precision)
    {
        var config = TinyModels.Config(AttentionKind.LuongConcat, RnnKind.Lstm, hidden: 12) with { InputFeeding = true };
        var model = Quantized(Seq2Seq.Create(config, 5), precision);
        var path = Path.Combine(_dir, "model.safetensors");
        Checkpoint.Save(path, model);
        var (loaded, info) = Checkpoint.Load(path);
        Assert.Equal(precision, info.Precision);
        Assert.Equal(precision, ModelPrecision.Of(loaded));
        foreach (var ((name, a), (_, b)) in model.NamedParameters().Zip(loaded.NamedParameters()))
        {
            Assert.True(a.Data.SequenceEqual(b.Data), $"{name} differs after reload");
            Assert.Equal(a.Quantized?.Precision, b.Quantized?.Precision);
        }
        var batch = TinyModels.Batch(model.Config, [4, 7, 2], [3, 3, 3]);
        var options = new BeamOptions(3, 12);
        Assert.Equal(BeamSearch.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, options).Tokens,
            BeamSearch.Decode(loaded, batch.Source, batch.Batch, batch.SourceLengths, options).Tokens);
        // The file says what it holds, in safetensors' own dtypes.
        var file = SafeTensorsFile.Read(path);
        var dtype = precision == Precision.Int8 ? SafeDType.I8 : SafeDType.BF16;
        Assert.Equal(dtype, file.Info("decoder.out.weight").DType);
        Assert.Equal(SafeDType.F32, file.Info("decoder.out.bias").DType);
        Assert.Equal(SafeDType.F32, file.Info("decoder.v.weight").DType); // attention's score vector stays fp32
        Assert.Equal(precision == Precision.Int8, file.Contains("decoder.out.weight" + Checkpoint.ScaleSuffix));
        // Saved again, the identical file: nothing is rounded twice.
        var again = Path.Combine(_dir, "again.safetensors");
        Checkpoint.Save(again, loaded);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void The_fp32_sidecar_is_written_as_before()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        Checkpoint.Save(path, Seq2Seq.Create(TinyModels.Config(AttentionKind.Bahdanau), 3));
        Assert.DoesNotContain("Precision", File.ReadAllText(Checkpoint.SidecarPath(path)));
    }

    [Fact]
    public void Int8_is_a_quarter_and_bf16_half_of_the_fp32_size()
    {
        var model = Seq2Seq.Create(TinyModels.Config(AttentionKind.Bahdanau, vocab: 500, emb: 64, hidden: 128), 3);
        var sizes = new Dictionary<Precision, long>();
        foreach (var p in new[] { Precision.Fp32, Precision.Int8, Precision.Bf16 })
        {
            var path = Path.Combine(_dir, $"{p}.safetensors");
            Checkpoint.Save(path, p == Precision.Fp32 ? model : Quantized(model, p));
            sizes[p] = new FileInfo(path).Length;
        }
        double int8 = (double)sizes[Precision.Int8] / sizes[Precision.Fp32], bf16 = (double)sizes[Precision.Bf16] / sizes[Precision.Fp32];
        output.WriteLine($"int8 {int8:P1}, bf16 {bf16:P1} of fp32 ({sizes[Precision.Fp32]} bytes)");
        Assert.InRange(int8, 0.24, 0.27);
        Assert.InRange(bf16, 0.49, 0.52);
    }

    private string SaveInt8(out Seq2Seq model)
    {
        model = Quantized(Seq2Seq.Create(TinyModels.Config(AttentionKind.Bahdanau), 3), Precision.Int8);
        var path = Path.Combine(_dir, "model.safetensors");
        Checkpoint.Save(path, model);
        return path;
    }

    /// <summary>Rewrites the weights file with <paramref name="change"/> applied to its entries and records the new hash, as a save would.</summary>
    private static void Rewrite(string path, Func<List<SafeTensorsEntry>, List<SafeTensorsEntry>> change)
    {
        var file = SafeTensorsFile.Read(path);
        var entries = file.Names.Select(n => file.Info(n).DType switch
        {
            SafeDType.I8 => SafeTensorsEntry.Int8(n, file.GetInt8(n).Data, file.Info(n).Shape),
            SafeDType.BF16 => SafeTensorsEntry.Bf16(n, file.GetBf16(n).Data, file.Info(n).Shape),
            _ => SafeTensorsEntry.Float(n, file.GetFloat(n).Data, file.Info(n).Shape),
        }).ToList();
        SafeTensorsFile.Write(path, change(entries), file.Metadata);
        var sidecar = Checkpoint.SidecarPath(path);
        var json = File.ReadAllText(sidecar);
        var old = JsonDocument.Parse(json).RootElement.GetProperty("WeightsSha256").GetString()!;
        File.WriteAllText(sidecar, json.Replace(old, FileHash.Sha256(path)));
    }

    [Fact]
    public void A_missing_row_scale_is_refused_naming_the_tensor()
    {
        var path = SaveInt8(out _);
        Rewrite(path, es => es.Where(e => e.Name != "decoder.out.weight_scale").ToList());
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("'decoder.out.weight'", e.Message);
        Assert.Contains("decoder.out.weight_scale", e.Message);
    }

    [Fact]
    public void An_integer_outside_the_range_is_refused_naming_the_tensor_and_row()
    {
        var path = SaveInt8(out var model);
        var w = model.Decoder.OutWeight;
        var (ints, _) = w.Quantized!.Int8Values()!.Value;
        ints[2 * w.Shape[1] + 1] = sbyte.MinValue;
        Rewrite(path, es => es.Select(e => e.Name == "decoder.out.weight" ? SafeTensorsEntry.Int8(e.Name, ints, e.Shape) : e).ToList());
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("'decoder.out.weight'", e.Message);
        Assert.Contains("row 2", e.Message);
    }

    [Fact]
    public void Weights_that_are_not_the_sidecars_precision_are_refused()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        Checkpoint.Save(path, Seq2Seq.Create(TinyModels.Config(AttentionKind.Bahdanau), 3));
        var sidecar = Checkpoint.SidecarPath(path);
        File.WriteAllText(sidecar, File.ReadAllText(sidecar).Replace("\"Format\":", "\"Precision\": \"Int8\",\n  \"Format\":"));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("is F32, expected I8", e.Message);
        Assert.Contains("int8", e.Message);
    }

    [Fact]
    public void A_quantized_model_runs_in_fp32_on_its_rounded_weights_but_not_in_the_other_precision()
    {
        SaveInt8(out var model);
        var e = Assert.Throws<InvalidDataException>(() => ModelPrecision.Apply(model, Precision.Bf16, "ckpt"));
        Assert.Contains("ckpt: the checkpoint holds int8 weights and cannot run in bf16", e.Message);
        Assert.Throws<InvalidOperationException>(() => ModelPrecision.Quantize(model, Precision.Int8));
        var values = model.Decoder.OutWeight.ToArray();
        ModelPrecision.Apply(model, Precision.Fp32, "ckpt");
        Assert.Equal(Precision.Fp32, ModelPrecision.Of(model));
        Assert.Equal(values, model.Decoder.OutWeight.ToArray());
    }
}
