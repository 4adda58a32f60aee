using System.Collections.Concurrent;
using Attend.Attention;
using Attend.Decoding;
using Attend.Model;
using Attend.Tensors;
using Attend.Training;
using Xunit.Abstractions;

namespace Attend.Tests.Model;

/// <summary>
/// The seeds' point, as a test: reversing a sequence of 5–15 symbols is learned almost perfectly by
/// every attention kind within seconds, while the plain encoder–decoder (None), which must squeeze the
/// sentence into one vector, degrades with length.
/// </summary>
[Trait("Category", "Slow")]
public class ReverseTaskTests(ITestOutputHelper output)
{
    private const int Symbols = 10, MinLen = 5, MaxLen = 15;

    internal static ModelConfig Config(AttentionKind kind) => new()
    {
        SourceVocab = 4 + Symbols, TargetVocab = 4 + Symbols, EmbeddingSize = 16, HiddenSize = 32, Attention = kind,
        Readout = Readout.StateContext,
    };

    private const int Steps = 800;
    private static readonly ConcurrentDictionary<AttentionKind, Lazy<Seq2Seq>> Trained = new();

    /// <summary>Each kind is trained once per test run and shared by the tests that need it.</summary>
    internal static Seq2Seq TrainedModel(AttentionKind kind) => Trained.GetOrAdd(kind, k => new Lazy<Seq2Seq>(() => Train(k, Steps))).Value;

    internal static Seq2SeqBatch RandomBatch(Rng rng, int batch, int minLen, int maxLen)
    {
        var src = new List<int[]>();
        var tgt = new List<int[]>();
        for (int i = 0; i < batch; i++)
        {
            var s = Enumerable.Range(0, rng.NextInt(minLen, maxLen)).Select(_ => 4 + rng.NextInt(Symbols)).ToArray();
            src.Add(s);
            tgt.Add(s.Reverse().ToArray());
        }
        return Seq2SeqBatch.FromPairs(src, tgt);
    }

    internal static Seq2Seq Train(AttentionKind kind, int steps, ulong seed = 1)
    {
        var model = Seq2Seq.Create(Config(kind), seed);
        var adam = new Adam(model.Parameters());
        var rng = new Rng(seed + 100);
        for (int step = 0; step < steps; step++)
        {
            // A high rate finds the alignment quickly; the linear decay to a tenth makes it settle.
            adam.Options = adam.Options with { LearningRate = 0.02f * (1f - 0.9f * step / steps) };
            TrainStep(model, adam, rng);
        }
        // Rounding differs between SIMD paths (AVX-512, AVX2, scalar), so a kind that lands just short of
        // the bar on one machine gets a bounded number of extra steps at the final rate, judged on a
        // validation seed distinct from the test's: the budget stays "seconds", the test stays stable.
        if (kind != AttentionKind.None)
            for (int extra = 0; extra < 4 && Accuracy(model, MinLen, MaxLen, seed: 777) < 0.999; extra++)
                for (int step = 0; step < 200; step++) TrainStep(model, adam, rng);
        return model;
    }

    private static void TrainStep(Seq2Seq model, Adam adam, Rng rng)
    {
        using var scope = TensorScope.Begin();
        var batch = RandomBatch(rng, 32, MinLen, MaxLen);
        model.ZeroGrad();
        model.Forward(batch).Loss.Backward();
        GradClip.ClipGradNorm(model.Parameters(), 1.0);
        adam.Step();
    }

    /// <summary>Greedy token accuracy over the reversed sequence and its EOS.</summary>
    internal static double Accuracy(Seq2Seq model, int minLen, int maxLen, ulong seed = 12345)
    {
        var batch = RandomBatch(new Rng(seed), 200, minLen, maxLen);
        var result = Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, new GreedyOptions(batch.TargetLength, StopAtEos: false));
        int correct = 0, total = 0;
        for (int b = 0; b < batch.Batch; b++)
            for (int t = 0; t <= batch.SourceLengths[b]; t++, total++)
                if (result.Tokens[b][t] == batch.TargetOut[b * batch.TargetLength + t]) correct++;
        return (double)correct / total;
    }

    [Theory]
    [InlineData(AttentionKind.Bahdanau)]
    [InlineData(AttentionKind.LuongDot)]
    [InlineData(AttentionKind.LuongGeneral)]
    [InlineData(AttentionKind.LuongConcat)]
    public void Every_attention_learns_to_reverse(AttentionKind kind)
    {
        double acc = Accuracy(TrainedModel(kind), MinLen, MaxLen);
        output.WriteLine($"{kind}: greedy token accuracy {acc:P2} after {Steps}+ steps");
        Assert.True(acc >= 0.99, $"{kind}: greedy token accuracy {acc:P2} after {Steps}+ steps");
    }

    [Fact]
    public void Without_attention_accuracy_degrades_with_length()
    {
        var plain = TrainedModel(AttentionKind.None);
        var attention = TrainedModel(AttentionKind.Bahdanau);
        double shortAcc = Accuracy(plain, 5, 7), longAcc = Accuracy(plain, 13, 15), attLong = Accuracy(attention, 13, 15);
        output.WriteLine($"None: lengths 5-7 {shortAcc:P1}, 13-15 {longAcc:P1}; Bahdanau 13-15 {attLong:P1}");
        Assert.True(longAcc < shortAcc - 0.2, $"None: short {shortAcc:P1}, long {longAcc:P1}: no clear degradation");
        Assert.True(longAcc < attLong - 0.3, $"None long {longAcc:P1} vs Bahdanau long {attLong:P1}");
    }
}
