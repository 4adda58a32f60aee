using System.Text.RegularExpressions;

namespace Attend.Server.Tests;

[Collection(ServerCollection.Name)]
public partial class PageTests(ServerFixture fx)
{
    [Theory]
    [InlineData("/", "text/html", "<script src=\"/app.js\">")]
    [InlineData("/app.js", "text/javascript", "/api/translate")]
    [InlineData("/app.css", "text/css", ".tok")]
    [InlineData("/favicon.svg", "image/svg+xml", "<svg")]
    public async Task The_page_and_its_files_are_served_from_the_assembly(string path, string type, string content)
    {
        using var client = fx.Factory.CreateClient();
        var response = await client.GetAsync(path);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains(content, text);
        // Works offline: nothing is loaded from another origin.
        Assert.DoesNotMatch(External(), text);
    }

    [GeneratedRegex(@"(src|href)\s*=\s*[""']?(https?:)?//|import\s|@import|fetch\(\s*[""']https?:")]
    private static partial Regex External();
}
