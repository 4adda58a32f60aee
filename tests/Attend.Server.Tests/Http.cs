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
