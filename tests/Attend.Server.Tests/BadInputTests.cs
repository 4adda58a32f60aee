using System.Net;
using System.Text;
using Attend.Decoding;
using Attend.Runs;
using Attend.Server.Models;
using Attend.Server.Translate;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Attend.Server.Tests;

[Collection(ServerCollection.Name)]
public class BadInputTests(ServerFixture fx)
{
    public static TheoryData<string, string> BadRequests => new()
    {
        { """{"text": "3/5/79" """, "malformed JSON at line 1" },
        { "", "malformed JSON" },
        { """["3/5/79"]""", "must be a JSON object" },
        { """{}""", "missing field: give \"text\"" },
        { """{"beam": 2}""", "missing field" },
        { """{"text": "a", "texts": ["b"]}""", "not both" },
        { """{"text": ""}""", "text is empty" },
        { """{"text": "   "}""", "text is empty" },
        { """{"texts": []}""", "texts: the list is empty" },
        { """{"texts": ["3/5/79", ""]}""", "texts[1] is empty" },
        { """{"texts": ["3/5/79", 7]}""", "texts[1]: expected a string, got the number 7" },
        { """{"texts": "3/5/79"}""", "texts: expected an array of strings, got a string" },
        { """{"text": 42}""", "text: expected a string, got the number 42" },
        { $$"""{"text": "{{new string('1', ServerFixture.MaxTextLength + 1)}}"}""", $"has {ServerFixture.MaxTextLength + 1} characters, the limit is {ServerFixture.MaxTextLength}" },
        { Http.Json(new { texts = Enumerable.Repeat("3/5/79", ServerFixture.MaxTexts + 1) }), $"the limit is {ServerFixture.MaxTexts} per request" },
        { """{"text": "3/5/79", "beam": 0}""", $"beam: expected 1..{ServerFixture.MaxBeam}, got 0" },
        { $$"""{"text": "3/5/79", "beam": {{ServerFixture.MaxBeam + 1}}}""", $"beam: expected 1..{ServerFixture.MaxBeam}, got {ServerFixture.MaxBeam + 1}" },
        { """{"text": "3/5/79", "beam": 2.5}""", "beam: expected an integer, got the number 2.5" },
        { """{"text": "3/5/79", "beam": "five"}""", "beam: expected an integer, got a string" },
        { """{"text": "3/5/79", "beam": 2, "nbest": 3}""", "nbest: expected 1..beam (2), got 3" },
        { """{"text": "3/5/79", "nbest": 0}""", "nbest: expected 1..beam (1), got 0" },
        { """{"text": "3/5/79", "lengthPenalty": -1}""", "lengthPenalty: expected 0..10, got -1" },
        { """{"text": "3/5/79", "lengthPenalty": true}""", "lengthPenalty: expected a number, got true" },
        { """{"text": "3/5/79", "beams": 2}""", "unknown field 'beams'" },
        { """{"text": "3/5/79", "model": 1}""", "model: expected a string" },
        { """{"text": "\uD800"}""", "text has an escaped lone surrogate (such as \\uD800), which is not text" },
        { """{"texts": ["3/5/79", "a\uDC00b"]}""", "texts[1] has an escaped lone surrogate" },
        { """{"text": "3/5/79", "model": "\uDBFF\uDBFF"}""", "model has an escaped lone surrogate" },
        { """{"te\uD800xt": "3/5/79"}""", "a field name has an escaped lone surrogate" },
        { """{"text": "3/5/79", "text": "1 jan 2000"}""", "field 'text' is given twice" },
        { """{"text": "3/5/79", "beam": 1e400}""", "beam: expected an integer, got the number 1e400" },
        { $$"""{"text": "3/5/79", "nbest": {{new string('9', 2000)}}}""", $"nbest: expected an integer, got the number {new string('9', 40)}… (2000 characters)" },
        { $$"""{"text": "3/5/79", "{{new string('k', 2000)}}": 1}""", $"unknown field '{new string('k', 40)}… (2000 characters)'" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_a_400_problem_that_says_what_is_wrong(string json, string detail)
    {
        using var client = fx.Factory.CreateClient();
        var (response, body) = await Http.PostJson(client, json);
        Http.AssertProblem(response, body, 400, detail);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, "byte 0xFF at offset 10")]
    [InlineData(new byte[] { 0xC0, 0x80 }, "byte 0xC0 at offset 10")]             // an overlong NUL
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, "byte 0xED at offset 10")]       // U+D800 encoded as if it were a scalar
    [InlineData(new byte[] { 0x31, 0xE2, 0x82 }, "byte 0xE2 at offset 11")]       // a truncated euro sign
    public async Task A_body_that_is_not_utf8_is_a_400_problem_naming_the_byte(byte[] bad, string detail)
    {
        using var client = fx.Factory.CreateClient();
        var content = new ByteArrayContent([.. "{\"text\": \""u8, .. bad, .. "\"}"u8]);
        content.Headers.ContentType = new("application/json");
        var response = await client.PostAsync("/api/translate", content);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Http.AssertProblem(response, body, 400, "the body is not valid UTF-8 (" + detail);
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_problem_listing_the_models()
    {
        using var client = fx.Factory.CreateClient();
        var (response, body) = await Http.PostJson(client, """{"text": "3/5/79", "model": "nope"}""");
        Http.AssertProblem(response, body, 404, "no model named 'nope' (this server has: attn, plain)");
        var (r2, b2) = await Http.Get(client, "/api/model/nope");
        Http.AssertProblem(r2, b2, 404, "no model named 'nope'");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem_with_or_without_a_content_length()
    {
        using var client = fx.Factory.CreateClient();
        var big = Http.Json(new { text = new string('1', ServerFixture.MaxBodyBytes) });
        var (response, body) = await Http.PostJson(client, big);
        Http.AssertProblem(response, body, 413, $"over the limit of {ServerFixture.MaxBodyBytes} bytes");

        // Chunked: no Content-Length announces the size, the reader counts.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/translate") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var r2 = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r2.StatusCode);
        Assert.Equal("application/problem+json", r2.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_are_problems_that_say_what_the_server_has()
    {
        using var client = fx.Factory.CreateClient();
        var (r1, b1) = await Http.Get(client, "/api/nothing");
        Http.AssertProblem(r1, b1, 404, "no endpoint at /api/nothing (this server has: POST /api/translate, GET /api/models");
        var (r2, b2) = await Http.Get(client, "/api/translate");
        Http.AssertProblem(r2, b2, 405, "method GET is not allowed at /api/translate (allowed: POST)");
    }

    private sealed class Failing : ISentenceDecoder
    {
        public Task<List<TextHypothesis[]>> DecodeAsync(IReadOnlyList<string[]> sources, SearchOptions search, CancellationToken ct) =>
            throw new InvalidOperationException("secret internal detail at /home/someone/model.cs line 42");
    }

    [Fact]
    public async Task A_server_error_is_a_500_problem_without_the_exception_or_a_stack_trace()
    {
        var loaded = RunDirectory.LoadModel(fx.Attn);
        using var factory = fx.Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddSingleton(new ModelRegistry([new ServedModel("attn", loaded, new Failing())]))));
        using var client = factory.CreateClient();
        var response = await client.PostAsync("/api/translate", new StringContent("""{"text": "3/5/79"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret", text);
        Assert.DoesNotContain("InvalidOperationException", text);
        Assert.DoesNotContain(" at ", text);
        Assert.DoesNotContain(".cs", text);
    }
}
