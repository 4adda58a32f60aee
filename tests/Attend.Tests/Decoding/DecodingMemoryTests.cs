using Attend.Decoding;
using Attend.Model;
using Attend.Tensors;
using Attend.Tests.Training;

namespace Attend.Tests.Decoding;

/// <summary>What a decoding batch holds does not grow with the number of steps: each replaced state goes back to the pool.</summary>
[Collection(ThreadCountCollection.Name)] // reads the shared pool's peak, so nothing else may run beside it
public class DecodingMemoryTests
{
    private static readonly Seq2Seq Model = Seq2Seq.Create(new ModelConfig
    {
        SourceVocab = 12, TargetVocab = 9, EmbeddingSize = 8, HiddenSize = 64, Attention = Attend.Attention.AttentionKind.LuongGeneral,
        InputFeeding = true, Rnn = Attend.Nn.RnnKind.Lstm,
    }, 5);

    private static readonly Seq2SeqBatch Batch = Seq2SeqBatch.FromPairs(
        Enumerable.Range(0, 8).Select(i => new[] { 4 + i % 5, 5, 6, 7 }).ToArray(), Enumerable.Range(0, 8).Select(_ => Array.Empty<int>()).ToArray());

    private static long PeakLive(Action decode)
    {
        using var scope = TensorScope.Begin();
        decode(); // warm: the pool holds every size once
        BufferPool.Shared.ResetPeak();
        long before = BufferPool.Shared.LiveBytes;
        decode();
        return BufferPool.Shared.PeakLiveBytes - before;
    }

    [Fact]
    public void A_batched_beam_and_greedy_hold_as_much_after_40_steps_as_after_5()
    {
        long Beam(int steps) => PeakLive(() =>
        {
            using var s = TensorScope.Begin();
            BeamSearch.Decode(Model, Batch.Source, Batch.Batch, Batch.SourceLengths, new BeamOptions(4, steps, StopAtEos: false));
        });
        long Greedy_(int steps) => PeakLive(() =>
        {
            using var s = TensorScope.Begin();
            Greedy.Decode(Model, Batch.Source, Batch.Batch, Batch.SourceLengths, new GreedyOptions(steps, StopAtEos: false, KeepLogits: false));
        });
        // A state per step kept to the end would add 35 × (h, c, feed) of [32, 64] floats (~860 KB) to the beam.
        long stateBytes = 3L * 32 * 64 * 4;
        Assert.True(Beam(40) - Beam(5) < 4 * stateBytes, $"beam: {Beam(5)} bytes after 5 steps, {Beam(40)} after 40");
        Assert.True(Greedy_(40) - Greedy_(5) < 4 * stateBytes / 4, $"greedy: {Greedy_(5)} bytes after 5 steps, {Greedy_(40)} after 40");
    }

    [Fact]
    public void Ensembles_hold_as_much_after_40_steps_as_after_5()
    {
        var second = Seq2Seq.Create(Model.Config, 6);
        long Beam(int steps) => PeakLive(() =>
        {
            using var s = TensorScope.Begin();
            EnsembleBeam.Decode([Model, second], Batch.Source, Batch.Batch, Batch.SourceLengths, new BeamOptions(4, steps, StopAtEos: false));
        });
        long Greedy_(int steps) => PeakLive(() =>
        {
            using var s = TensorScope.Begin();
            EnsembleGreedy.Decode([Model, second], Batch, Enumerable.Repeat(steps, Batch.Batch).ToArray());
        });
        // Each step's logits kept to the end would add 35 × 2 models × [32, 9] floats, and its states 35 × 2 × 3 × [32, 64].
        long stateBytes = 3L * 32 * 64 * 4;
        Assert.True(Beam(40) - Beam(5) < 4 * stateBytes, $"ensemble beam: {Beam(5)} bytes after 5 steps, {Beam(40)} after 40");
        Assert.True(Greedy_(40) - Greedy_(5) < stateBytes, $"ensemble greedy: {Greedy_(5)} bytes after 5 steps, {Greedy_(40)} after 40");
    }
}
