// Translator.AttentionWeights: the worst-case attention a search holds, which the server checks before decoding.
using Attend.Decoding;

namespace Attend.Tests.Decoding;

public class AttentionBudgetTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_budget_is_exactly_the_attention_a_model_that_never_stops_returns(int beam)
    {
        // Sources of one length in one batch, n-best = beam: nothing is padded or dropped, so the worst case is reached.
        var m = SearchLimitTests.Endless();
        int[][] sources = [[4, 5, 6], [7, 8, 9], [10, 11, 4]];
        var options = new SearchOptions(BeamSize: beam, NBest: beam);
        long returned = Translator.Decode(m, sources, options).SelectMany(h => h).Sum(h => (long)h.Attention!.Length);
        Assert.Equal(returned, Translator.AttentionWeights(sources.Select(s => s.Length).ToList(), options));
    }

    [Fact]
    public void Each_batch_counts_its_longest_source_for_every_sentence()
    {
        // Batches of 2 sorted by length: {2, 5} padded to 5, then {9} alone; steps = ⌈1.5 · S⌉ + 10.
        var options = new SearchOptions(BeamSize: 4, BatchSize: 2);
        long expected = 2L * 4 * (8 + 10) * 5 + 1L * 4 * (14 + 10) * 9;
        Assert.Equal(expected, Translator.AttentionWeights([9, 2, 5], options));
        Assert.Equal(0, Translator.AttentionWeights([], options));
    }

    [Fact]
    public void The_budget_bounds_the_answer_of_padded_batches_too()
    {
        var m = SearchLimitTests.Endless();
        int[][] sources = [[4, 5], [6, 7, 8, 9, 10, 11, 4, 5, 6, 7], [8, 9, 10], [4]];
        var options = new SearchOptions(BeamSize: 2, NBest: 2, BatchSize: 3);
        long returned = Translator.Decode(m, sources, options).SelectMany(h => h).Sum(h => (long)h.Attention!.Length);
        Assert.True(returned <= Translator.AttentionWeights(sources.Select(s => s.Length).ToList(), options));
    }
}
