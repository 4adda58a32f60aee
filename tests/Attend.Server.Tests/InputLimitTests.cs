using Attend.Decoding;
using Microsoft.AspNetCore.Hosting;

namespace Attend.Server.Tests;

/// <summary>A text past the decoder's token limit is a 400 naming the field, even when --max-text-length lets it in.</summary>
[Collection(ServerCollection.Name)]
public class InputLimitTests(ServerFixture fx)
{
    [Fact]
    public async Task A_text_with_more_tokens_than_the_decoder_takes_is_a_400()
    {
        int n = SearchLimits.DefaultMaxInputTokens + 76;
        using var factory = fx.Factory.WithWebHostBuilder(b => b.UseSetting("Attend:MaxTextLength", "100000"));
        using var client = factory.CreateClient();
        var (response, body) = await Http.PostJson(client, Http.Json(new { texts = new[] { "3/5/79", new string('7', n) } }));
        Http.AssertProblem(response, body, 400, $"texts[1] has {n} tokens, the limit is {SearchLimits.DefaultMaxInputTokens}");
    }
}
