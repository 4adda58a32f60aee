// The worst-case attention budget of a request: refused before decoding when it is over --max-attention-weights.
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Attend.Server.Tests;

[Collection(ServerCollection.Name)]
public class AttentionBudgetTests(ServerFixture fx)
{
    private WebApplicationFactory<Program> WithBudget(long weights) =>
        fx.Create(batching: false).WithWebHostBuilder(b => b.UseSetting("Attend:MaxAttentionWeights", weights.ToString()));

    /// <summary>The step limit the runs use (testing.max_output_ratio 1.5): ⌈1.5 · S⌉ + 10.</summary>
    private static long Steps(int s) => (long)Math.Ceiling(1.5 * s) + 10;

    [Fact]
    public async Task A_request_at_the_budget_is_answered_and_one_weight_over_is_refused_naming_what_to_lower()
    {
        // Two texts of different lengths decode as one batch padded to the longer: both count its length.
        string[] texts = ["3/5/79", "the 14th of february 1999"];
        const int beam = 3;
        var json = Http.Json(new { texts, beam, nbest = beam });
        int s;
        using (var probe = fx.Factory.CreateClient())
        {
            var (ok, body) = await Http.PostJson(probe, json);
            Assert.Equal(200, (int)ok.StatusCode);
            s = body.GetProperty("translations").EnumerateArray().Max(t => t.GetProperty("sourceTokens").GetArrayLength());
        }
        long budget = texts.Length * beam * Steps(s) * s;

        using (var at = WithBudget(budget))
        using (var client = at.CreateClient())
        {
            var (response, body) = await Http.PostJson(client, json);
            Assert.Equal(200, (int)response.StatusCode);
            long returned = body.GetProperty("translations").EnumerateArray()
                .SelectMany(t => t.GetProperty("nbest").EnumerateArray()).Sum(h => (long)Http.Attention(h).Sum(r => r.Length));
            Assert.True(returned <= budget);
        }
        using (var over = WithBudget(budget - 1))
        using (var client = over.CreateClient())
        {
            var (response, body) = await Http.PostJson(client, json);
            Http.AssertProblem(response, body, 400, $"this request could need {budget} attention weights " +
                $"(texts × beam × output steps × source tokens), the limit is {budget - 1}: send fewer or shorter texts, or a lower beam than {beam}");
        }
    }

    [Fact]
    public async Task A_single_greedy_text_names_only_the_text()
    {
        using var factory = WithBudget(1);
        using var client = factory.CreateClient();
        var (response, body) = await Http.PostJson(client, """{"text": "3/5/79", "beam": 1}""");
        Http.AssertProblem(response, body, 400, "the limit is 1: send a shorter text");
        Assert.DoesNotContain("lower beam", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_model_without_attention_holds_no_weights_and_is_not_refused()
    {
        using var factory = WithBudget(1);
        using var client = factory.CreateClient();
        var (response, _) = await Http.PostJson(client, """{"text": "3/5/79", "beam": 2, "model": "plain"}""");
        Assert.Equal(200, (int)response.StatusCode);
    }
}

public class BatchPartsTests
{
    private static string[] Tokens(int n) => Enumerable.Repeat("x", n).ToArray();

    [Fact]
    public void Shared_batches_are_cut_where_padding_would_go_over_the_budget()
    {
        // A long request (1 × 100 tokens), a short one (31 × 1) and a tiny one (1 × 2): together, every short sentence
        // would be padded to 100 tokens (32 × beam 2 × 160 steps × 100); the long one alone is 2 × 160 × 100.
        var search = new Attend.Decoding.SearchOptions(BeamSize: 2, BatchSize: 32);
        IReadOnlyList<string[]>[] jobs = [[Tokens(100)], Enumerable.Repeat(Tokens(1), 31).ToList(), [Tokens(2)]];
        var cut = Attend.Server.Translate.BatchingDecoder.Parts(jobs, j => j, search, 2L * 160 * 100);
        Assert.Equal([[jobs[0]], [jobs[1], jobs[2]]], cut.Select(p => p.ToArray()).ToArray());
        var whole = Attend.Server.Translate.BatchingDecoder.Parts(jobs, j => j, search, 32L * 2 * 160 * 100);
        Assert.Equal([jobs], whole.Select(p => p.ToArray()).ToArray());
    }
}
