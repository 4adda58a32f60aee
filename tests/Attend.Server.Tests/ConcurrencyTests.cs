using Attend.Decoding;
using Attend.Runs;

namespace Attend.Server.Tests;

[Collection(ServerCollection.Name)]
public class ConcurrencyTests(ServerFixture fx)
{
    private static readonly string[] Texts =
    [
        "3/5/79", "May 3, 1979", "the 3rd of may 1979", "12.10.2001", "on thursday, the third of may, in the year nineteen seventy-nine",
        "1 jan 2000", "december 31, 1999", "7/4/76",
    ];

    /// <summary>
    /// Many requests at once, with batching (shared batches) and without (parallel decodes of one shared
    /// model): every answer equals the one the model gives that sentence alone, so neither mixing sentences
    /// in a batch nor running threads side by side changes a result.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Concurrent_requests_get_the_answers_of_a_sequential_decode(bool batching)
    {
        var loaded = RunDirectory.LoadModel(fx.Attn);
        var jobs = Enumerable.Range(0, 48).Select(i => (Text: Texts[i % Texts.Length], Beam: i % 3 == 0 ? 3 : 1)).ToList();
        var expected = jobs.Distinct().ToDictionary(j => j, j => TextTranslator.Translate(loaded, [j.Text], new SearchOptions(j.Beam, Alpha: 0))[0][0]);
        using var factory = fx.Create(batching);
        using var client = factory.CreateClient();
        var answers = await Task.WhenAll(jobs.Select(j => Task.Run(() => Http.PostJson(client, Http.Json(new { text = j.Text, beam = j.Beam, lengthPenalty = 0 })))));
        for (int i = 0; i < jobs.Count; i++)
        {
            var (response, body) = answers[i];
            Assert.Equal(200, (int)response.StatusCode);
            var t = body.GetProperty("translations")[0];
            var want = expected[jobs[i]];
            Assert.Equal(want.Text, t.GetProperty("text").GetString());
            Assert.Equal(want.Score, t.GetProperty("score").GetDouble(), 4);
            var att = Http.Attention(t);
            for (int r = 0; r < att.Length; r++)
                for (int c = 0; c < att[r].Length; c++) Assert.Equal(want.Attention![r, c], att[r][c], 4);
        }
    }
}
