using Attend.Attention;
using Attend.Decoding;
using Attend.Model;
using Attend.Nn;
using Attend.Tensors;
using Attend.Tests.Model;

namespace Attend.Tests.Decoding;

/// <summary>
/// A batch decoded as shards of sentences that run at once gives the bits of the whole batch decoded in one:
/// tokens, logits, attention weights and beam scores, and as many steps when stopping at EOS, where the shards'
/// sentences finish at different steps.
/// </summary>
public class DecodeShardsTests
{
    // Greedy shards need more than 8 sentences each (fewer rows take the GEMM's few-rows route); beams of 3 need 3.
    private static readonly int[] SourceLengths = [5, 2, 7, 3, 4, 6, 1, 8, 2, 5, 3, 9, 4, 1, 6, 2, 7, 3, 5, 4];
    private static readonly int[] TargetLengths = Enumerable.Repeat(1, SourceLengths.Length).ToArray();

    /// <summary>Runs <paramref name="decode"/> until it has decoded as shards (the workers may be held by another test for a moment).</summary>
    internal static T Sharded<T>(Func<T> decode, int shards)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            var result = decode();
            if (DecodeShards.LastRun == shards) return result;
            Thread.Sleep(5);
        }
        throw new InvalidOperationException($"the decode never ran as {shards} shards at once");
    }

    public static TheoryData<AttentionKind, RnnKind> Kinds() => new()
    {
        { AttentionKind.None, RnnKind.Gru }, { AttentionKind.Bahdanau, RnnKind.Gru }, { AttentionKind.LuongGeneral, RnnKind.Lstm },
        { AttentionKind.LuongConcat, RnnKind.Gru }, { AttentionKind.LuongDot, RnnKind.Lstm },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Greedy_shards_give_the_bits_of_the_whole_batch(AttentionKind kind, RnnKind rnn)
    {
        if (Parallelism.MaxThreads < 2) return; // nothing can run at once on one thread (CI has two)
        var config = TinyModels.Config(kind, rnn);
        var model = TinyModels.Model(config, seed: 3);
        var batch = TinyModels.Batch(config, SourceLengths, TargetLengths);
        var options = new GreedyOptions(12, StopAtEos: false, Shards: 1);
        var whole = Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, options);
        var sharded = Sharded(() => Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, options with { Shards = 2 }), 2);
        Assert.Equal(whole.Tokens, sharded.Tokens);
        Assert.Equal(whole.Logits!.Shape, sharded.Logits!.Shape);
        Assert.Equal(whole.Logits.ToArray(), sharded.Logits.ToArray());
        Assert.Equal(whole.Weights?.ToArray(), sharded.Weights?.ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Beam_shards_give_the_bits_of_the_whole_batch(AttentionKind kind, RnnKind rnn)
    {
        if (Parallelism.MaxThreads < 2) return;
        var config = TinyModels.Config(kind, rnn);
        var model = TinyModels.Model(config, seed: 5);
        var batch = TinyModels.Batch(config, SourceLengths, TargetLengths);
        var options = new BeamOptions(3, 10, StopAtEos: false, Shards: 1);
        var whole = BeamSearch.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, options);
        var sharded = Sharded(() => BeamSearch.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, options with { Shards = 2 }), 2);
        Assert.Equal(whole.Tokens, sharded.Tokens);
        Assert.Equal(whole.Scores, sharded.Scores);
        Assert.Equal(whole.Weights, sharded.Weights);
    }

    /// <summary>
    /// The first model (by seed) whose greedy decoding of the batch ends at EOS before the step limit, with the
    /// sentences of the first shard all finished at another step than those of the second.
    /// </summary>
    private static (Seq2Seq Model, GreedyResult Whole) FinishingAtDifferentSteps(Seq2SeqBatch batch, ModelConfig config, GreedyOptions options)
    {
        int half = (batch.Batch + 1) / 2;
        for (ulong seed = 1; seed < 200; seed++)
        {
            var model = TinyModels.Model(config, seed);
            var whole = Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, options);
            if (whole.Tokens.Any(t => t[^1] != config.EosId)) continue; // some sentence ran to the limit
            int first = whole.Tokens[..half].Max(t => t.Length), second = whole.Tokens[half..].Max(t => t.Length);
            if (first != second) return (model, whole);
        }
        throw new InvalidOperationException("no seed gives shards finishing at different steps");
    }

    [Fact]
    public void Stopping_at_eos_every_shard_runs_until_the_whole_batch_has_finished()
    {
        if (Parallelism.MaxThreads < 2) return;
        var config = TinyModels.Config(AttentionKind.Bahdanau) with { TargetVocab = 6 };
        var batch = TinyModels.Batch(config, SourceLengths, TargetLengths);
        var options = new GreedyOptions(40, StopAtEos: true, Shards: 1);
        var (model, whole) = FinishingAtDifferentSteps(batch, config, options);
        var sharded = Sharded(() => Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, options with { Shards = 2 }), 2);
        Assert.Equal(whole.Tokens, sharded.Tokens);
        Assert.Equal(whole.Logits!.Shape, sharded.Logits!.Shape); // as many steps as the whole batch ran
        Assert.Equal(whole.Logits.ToArray(), sharded.Logits.ToArray());

        var beamOptions = new BeamOptions(3, 40, StopAtEos: true, Shards: 1);
        var beamWhole = BeamSearch.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, beamOptions);
        var beamSharded = Sharded(() => BeamSearch.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, beamOptions with { Shards = 2 }), 2);
        Assert.Equal(beamWhole.Tokens, beamSharded.Tokens);
        Assert.Equal(beamWhole.Scores, beamSharded.Scores);
    }

    [Fact]
    public void Each_sentence_keeps_its_own_step_limit_in_any_shard()
    {
        if (Parallelism.MaxThreads < 2) return;
        var config = TinyModels.Config(AttentionKind.Bahdanau);
        var model = TinyModels.Model(config, seed: 7);
        var batch = TinyModels.Batch(config, SourceLengths, TargetLengths);
        var limits = SourceLengths.Select(n => n + 2).ToArray(); // 3..11: the shards' sentences stop at different steps
        var options = new GreedyOptions(limits.Max(), Shards: 1, SentenceSteps: limits);
        var whole = Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, options);
        var sharded = Sharded(() => Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, options with { Shards = 2 }), 2);
        Assert.Equal(whole.Tokens, sharded.Tokens);
        Assert.All(whole.Tokens.Zip(limits), p => Assert.True(p.First.Length <= p.Second));
        Assert.Contains(whole.Tokens.Zip(limits), p => p.First.Length == p.Second && p.First[^1] != config.EosId); // some were cut

        var beamOptions = new BeamOptions(3, limits.Max(), Shards: 1, SentenceSteps: limits);
        var beamWhole = BeamSearch.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, beamOptions);
        var beamSharded = Sharded(() => BeamSearch.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, beamOptions with { Shards = 2 }), 2);
        Assert.Equal(beamWhole.Tokens, beamSharded.Tokens);
        Assert.Equal(beamWhole.Scores, beamSharded.Scores);
    }

    [Fact]
    public void Shards_are_cut_only_for_enough_rows_and_a_small_output_layer()
    {
        var small = TinyModels.Model(TinyModels.Config(AttentionKind.Bahdanau));
        int cores = Parallelism.MaxThreads;
        Assert.Equal(1, DecodeShards.Count(small, 64, 1, 0)); // greedy over 64 sentences: not two shards of 32 rows
        Assert.Equal(Math.Min(cores, 2), DecodeShards.Count(small, 128, 1, 0));
        Assert.Equal(Math.Min(cores, 64 * 5 / 64), DecodeShards.Count(small, 64, 5, 0)); // beams of 5
        Assert.Equal(3, DecodeShards.Count(small, 27, 1, 3)); // asked for
        Assert.Equal(2, DecodeShards.Count(small, 26, 1, 3)); // each more than the GEMM's few rows
        Assert.Equal(2, DecodeShards.Count(small, 2, 10, 5)); // at most one per sentence
        var bigOutput = TinyModels.Model(TinyModels.Config(AttentionKind.Bahdanau, vocab: 270_000, hidden: 8));
        Assert.True(bigOutput.Decoder.OutWeight.Length > DecodeShards.MaxOutputWeights);
        Assert.Equal(1, DecodeShards.Count(bigOutput, 640, 5, 0));
    }
}
