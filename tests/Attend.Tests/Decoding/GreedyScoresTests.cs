using Attend.Attention;
using Attend.Decoding;
using Attend.Model;
using Attend.Nn;
using Attend.Tensors;
using Attend.Tests.Model;

namespace Attend.Tests.Decoding;

/// <summary>
/// Greedy decoding that scores its tokens as it goes (<see cref="GreedyOptions.ScoreTokens"/>): each emitted token
/// gets the log-softmax of its step's logits at that token, the tokens do not change, a sentence that stops at EOS
/// has as many scores as tokens, and shards give the same scores.
/// </summary>
public class GreedyScoresTests
{
    private static readonly int[] SourceLengths = [5, 2, 7, 3, 4, 6, 1, 8, 2, 5, 3, 9, 4, 1, 6, 2, 7, 3, 5, 4];

    [Theory]
    [InlineData(AttentionKind.Bahdanau, RnnKind.Gru, false)]
    [InlineData(AttentionKind.LuongGeneral, RnnKind.Lstm, false)]
    [InlineData(AttentionKind.None, RnnKind.Gru, true)]
    public void Each_token_gets_the_log_softmax_of_its_steps_logits(AttentionKind kind, RnnKind rnn, bool stopAtEos)
    {
        // Stopping at EOS: a vocabulary of 6, where a random model emits EOS within a few steps for some sentences.
        var config = stopAtEos ? TinyModels.Config(kind, rnn) with { TargetVocab = 6 } : TinyModels.Config(kind, rnn);
        var batch = TinyModels.Batch(config, SourceLengths, Enumerable.Repeat(1, SourceLengths.Length).ToArray());
        // A seed whose model stops some sentences before others (when stopping at EOS).
        Seq2Seq model;
        GreedyResult kept;
        ulong seed = 4;
        do
        {
            model = TinyModels.Model(config, seed++);
            kept = Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, new GreedyOptions(15, stopAtEos, Shards: 1));
        }
        while (stopAtEos && seed < 200 && kept.Tokens.All(t => t.Length == kept.Logits!.Shape[1]));
        var scored = Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths,
            new GreedyOptions(15, stopAtEos, KeepLogits: false, Shards: 1, ScoreTokens: true));
        var both = Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, new GreedyOptions(15, stopAtEos, Shards: 1, ScoreTokens: true));
        Assert.Null(kept.TokenLogProbs);
        Assert.Null(scored.Logits);
        Assert.Equal(kept.Tokens, scored.Tokens);
        Assert.Equal(kept.Logits!.ToArray(), both.Logits!.ToArray()); // scoring leaves the kept logits as they were
        Assert.Equal(scored.TokenLogProbs, both.TokenLogProbs);
        int steps = kept.Logits.Shape[1], v = kept.Logits.Shape[2];
        bool ended = false;
        for (int b = 0; b < batch.Batch; b++)
        {
            var toks = kept.Tokens[b];
            Assert.Equal(toks.Length, scored.TokenLogProbs![b].Length);
            ended |= toks.Length < steps;
            for (int t = 0; t < toks.Length; t++)
                Assert.Equal(Translator.LogSoftmaxAt(kept.Logits.Data.Slice((b * steps + t) * v, v), toks[t]), scored.TokenLogProbs[b][t], 1e-5);
        }
        if (stopAtEos) Assert.True(ended, "no sentence stopped before the last step: the test does not exercise stopping");
    }

    [Fact]
    public void Shards_give_the_same_scores()
    {
        if (Parallelism.MaxThreads < 2) return; // nothing runs at once on one thread (CI has two)
        var config = TinyModels.Config(AttentionKind.Bahdanau, RnnKind.Gru);
        var model = TinyModels.Model(config, seed: 5);
        var batch = TinyModels.Batch(config, SourceLengths, Enumerable.Repeat(1, SourceLengths.Length).ToArray());
        var options = new GreedyOptions(10, StopAtEos: false, KeepLogits: false, Shards: 1, ScoreTokens: true);
        var whole = Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, options);
        var sharded = DecodeShardsTests.Sharded(() => Greedy.Decode(model, batch.Source, batch.Batch, batch.SourceLengths, options with { Shards = 2 }), 2);
        Assert.Equal(whole.TokenLogProbs, sharded.TokenLogProbs);
    }
}
