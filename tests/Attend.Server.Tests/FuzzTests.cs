using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Attend.Server.Tests;

/// <summary>
/// Hostile input against the real app: thousands of generated bodies (<see cref="FuzzBodies"/>), odd headers,
/// query strings, paths and methods on every endpoint. Every answer is a 2xx, or a 4xx problem document whose
/// detail names what is wrong; never a 5xx, never internals.
/// </summary>
[Collection(ServerCollection.Name)]
public partial class FuzzTests(ServerFixture fx)
{
    public const int Seed = 24, Bodies = 3000;

    // What a useful detail is about: a request field, the body, its encoding or headers, the route or method.
    [GeneratedRegex(@"\b(text|texts|beam|nbest|lengthPenalty|model|field|JSON|body|UTF-8|Content-Type|charset|endpoint|method)\b")]
    private static partial Regex NamesSomething();

    [GeneratedRegex(@"Exception|\bat [\w.]+\(|\.cs:line|System\.|Microsoft\.")]
    private static partial Regex Internals();

    /// <summary>Null when the answer is acceptable, else what is wrong with it.</summary>
    internal static async Task<string?> Judge(HttpResponseMessage response, bool head = false)
    {
        int status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        if (status >= 500) return $"{status}: {text}";
        if (Internals().IsMatch(text)) return $"{status} shows internals: {text}";
        if (status < 400 || head) return null;
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") return $"{status} is not a problem document: {text}";
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (!root.TryGetProperty("status", out var s) || s.GetInt32() != status) return $"{status}: status field missing or different: {text}";
            if (!root.TryGetProperty("detail", out var d) || d.ValueKind != JsonValueKind.String || !NamesSomething().IsMatch(d.GetString()!))
                return $"{status}: detail missing or names nothing: {text}";
        }
        catch (JsonException)
        {
            return $"{status}: the problem document is not JSON: {text}";
        }
        return null;
    }

    private static string Show(byte[] body) => body.Length > 160 ? $"{Escape(body[..160])}… ({body.Length} bytes)" : Escape(body);

    private static string Escape(byte[] b) => string.Concat(b.Select(x => x is >= 0x20 and < 0x7F ? ((char)x).ToString() : $"\\x{x:X2}"));

    private static void AssertNone(List<string> failures, int total) =>
        Assert.True(failures.Count == 0, $"{failures.Count} of {total} answers were wrong; the first:\n" + string.Join("\n", failures.Take(100)));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Thousands_of_mutated_bodies_get_a_2xx_or_a_4xx_problem_that_names_what_is_wrong(bool batching)
    {
        using var factory = fx.Create(batching);
        using var client = factory.CreateClient();
        var failures = new List<string>();
        int n = 0;
        var statuses = new SortedDictionary<int, int>();
        foreach (var body in FuzzBodies.Generate(Seed, Bodies, ServerFixture.MaxBodyBytes))
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var response = await client.PostAsync("/api/translate", content);
            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
            if (await Judge(response) is string wrong) failures.Add($"{Show(body)} → {wrong}");
            n++;
        }
        Assert.Equal(Bodies, n);
        AssertNone(failures, n);
        // The generator reaches past the parser: some bodies translate, most are refused.
        Assert.True(statuses.GetValueOrDefault(200) > 50, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(400) > Bodies / 2, string.Join(", ", statuses));
    }

    public static TheoryData<string?> ContentTypes => new()
    {
        null, "application/json", "application/json; charset=utf-8", "application/json; charset=UTF8", "text/plain",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=\"utf-8\"",
        "application/xml", "*/*", "application/json; foo=bar",
    };

    [Theory]
    [MemberData(nameof(ContentTypes))]
    public async Task Any_media_type_with_a_utf8_body_is_read_as_JSON(string? type)
    {
        using var client = fx.Factory.CreateClient();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"text": "3/5/79"}"""));
        if (type is not null) content.Headers.TryAddWithoutValidation("Content-Type", type);
        var response = await client.PostAsync("/api/translate", content);
        Assert.Null(await Judge(response));
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("application/json; charset=utf-16", "utf-16")]
    [InlineData("application/json; charset=iso-8859-1", "iso-8859-1")]
    [InlineData("text/plain; charset=bogus", "bogus")]
    public async Task A_charset_other_than_utf8_is_a_415_problem_naming_it(string type, string charset)
    {
        using var client = fx.Factory.CreateClient();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"text": "3/5/79"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", type);
        var response = await client.PostAsync("/api/translate", content);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Http.AssertProblem(response, body, 415, $"charset={charset}");
    }

    [Theory]
    [InlineData("application/json; charset=")]
    [InlineData(";;;")]
    [InlineData("json")]
    public async Task A_content_type_that_does_not_parse_is_a_415_problem(string type)
    {
        using var client = fx.Factory.CreateClient();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"text": "3/5/79"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", type);
        var response = await client.PostAsync("/api/translate", content);
        Assert.Null(await Judge(response));
        Assert.Equal(415, (int)response.StatusCode);
    }

    private static readonly string[] Paths =
    [
        "/", "/app.js", "/app.css", "/favicon.svg", "/healthz", "/api/models", "/api/model", "/api/model/attn", "/api/translate",
        "/api/model/%FF", "/api/model/%ED%A0%80", "/api/model/..%2F..%2Fetc", "/api/model/" + new string('m', 3000),
        "/api/nothing", "/%FF", "/api//translate", "/api/translate/", "/API/TRANSLATE", "/index.html",
    ];

    private static readonly string[] Queries =
    [
        "", "?", "?a", "?a=1&a=2", "?text=3/5/79", "?model=%FF", "?%00=%00", "?beam=-1&nbest=abc", "?x=%ED%A0%80", "?=&=&",
        "?" + new string('q', 4000), "?a=%", "?a=%G1",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO"];

    [Fact]
    public async Task Every_method_path_and_query_gets_a_2xx_or_a_4xx_problem()
    {
        using var client = fx.Factory.CreateClient();
        await Http.WaitReady(client);   // before, /healthz is a 503 "warming up"
        var failures = new List<string>();
        int n = 0;
        foreach (var path in Paths)
            foreach (var query in Queries)
                foreach (var method in Methods)
                {
                    var request = new HttpRequestMessage(new HttpMethod(method), path + query);
                    if (method is "POST" or "PUT" or "PATCH")
                        request.Content = new StringContent("""{"text": "3/5/79"}""", Encoding.UTF8, "application/json");
                    var response = await client.SendAsync(request);
                    if (await Judge(response, head: method == "HEAD") is string wrong) failures.Add($"{method} {path}{query} → {wrong}");
                    n++;
                }
        AssertNone(failures, n);
    }
}
