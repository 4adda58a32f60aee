using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Attend.Server.Tests;

/// <summary>Small helpers for talking JSON to the app.</summary>
internal static class Http
{
    public static async Task<(HttpResponseMessage Response, JsonElement Body)> PostJson(HttpClient client, string json, string path = "/api/translate")
    {
        var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return (response, await Body(response));
    }

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> Get(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        return (response, await Body(response));
    }

    private static async Task<JsonElement> Body(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Polls /healthz while it says "warming up" and returns the first other answer (or the last after a minute).</summary>
    public static async Task<(HttpResponseMessage Response, JsonElement Body)> WaitReady(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var (response, body) = await Get(client, "/healthz");
            bool warming = (int)response.StatusCode == 503 && body.GetProperty("status").GetString() == "warming up";
            if (!warming || DateTime.UtcNow > deadline) return (response, body);
            await Task.Delay(20);
        }
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);

    public static float[][] Attention(JsonElement translation) =>
        translation.GetProperty("attention").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetSingle()).ToArray()).ToArray();

    public static string[] Strings(JsonElement array) => array.EnumerateArray().Select(x => x.GetString()!).ToArray();

    /// <summary>Asserts an RFC 7807 problem document with this status whose detail contains <paramref name="detail"/>.</summary>
    public static void AssertProblem(HttpResponseMessage response, JsonElement body, int status, string detail)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("title").GetString()));
        Assert.Contains(detail, body.GetProperty("detail").GetString());
    }
}
