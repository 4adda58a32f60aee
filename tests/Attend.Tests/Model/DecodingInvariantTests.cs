using Attend.Attention;
using Attend.Decoding;
using Attend.Model;
using Attend.Nn;

namespace Attend.Tests.Model;

public class DecodingInvariantTests
{
    public static TheoryData<AttentionKind> Kinds() => new(TinyModels.AllKinds);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Beam_of_one_equals_greedy_and_padding_does_not_change_the_output(AttentionKind kind)
    {
        var config = TinyModels.Config(kind, RnnKind.Lstm);
        var model = TinyModels.Model(config, seed: 4);
        var batch = TinyModels.Batch(config, [5, 2, 4], [1, 1, 1]);
        var greedy = Greedy.Decode(model, batch.Source, 3, batch.SourceLengths, new GreedyOptions(10, StopAtEos: false));
        var beam = BeamSearch.Decode(model, batch.Source, 3, batch.SourceLengths, new BeamOptions(1, 10, StopAtEos: false));
        for (int b = 0; b < 3; b++)
        {
            // Beam keeps emitting EOS after the first one; greedy does not: compare up to it.
            int upTo = Array.IndexOf(greedy.Tokens[b], config.EosId) is var i and >= 0 ? i + 1 : 10;
            Assert.Equal(greedy.Tokens[b][..upTo], beam.Tokens[b][0][..upTo]);
            var alone = TinyModels.Row(batch, b);
            var single = Greedy.Decode(model, alone.Source, 1, alone.SourceLengths, new GreedyOptions(10, StopAtEos: false));
            Assert.Equal(greedy.Tokens[b], single.Tokens[0]);
        }
    }

    [Fact]
    public void Beam_hypotheses_are_sorted_and_stop_at_eos_when_asked()
    {
        var config = TinyModels.Config(AttentionKind.Bahdanau);
        var model = TinyModels.Model(config, seed: 4);
        var batch = TinyModels.Batch(config, [5, 2, 4], [1, 1, 1]);
        var beam = BeamSearch.Decode(model, batch.Source, 3, batch.SourceLengths, new BeamOptions(4, 30));
        foreach (var scores in beam.Scores)
            for (int k = 1; k < scores.Length; k++) Assert.True(scores[k - 1] >= scores[k]);
        Assert.All(beam.Tokens.SelectMany(x => x), h => Assert.True(h.Length <= 30));
    }
}
