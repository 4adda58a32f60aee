using System.Globalization;
using System.Text.RegularExpressions;
using Attend.Cli.Commands;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Attend.Server.Tests;

/// <summary>
/// The page in a real browser: Debian's chromium (installed by ./test.sh when missing; never downloaded by
/// Playwright) against `attend serve`'s app on a loopback port. Screenshots go to the test's output folder,
/// or to $ATTEND_SCREENSHOTS (docs/img was made that way, with $ATTEND_SCREENSHOT_RUN naming a trained run).
/// </summary>
[Collection(ServerCollection.Name)]
public partial class BrowserTests(ServerFixture fx)
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private record SpanState(int I, bool Top, bool Active, double Alpha);

    [Fact]
    public async Task Hovering_a_target_word_shades_the_source_words_by_weight_and_marks_the_largest()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs the chromium package (apt-get install -y chromium)");
        var run = Environment.GetEnvironmentVariable("ATTEND_SCREENSHOT_RUN");
        var options = run is null ? fx.Options() : fx.Options() with { Models = [new ModelSpec("dates", run), .. fx.Options().Models] };
        var text = run is null ? "May 3, 1979" : "on thursday, the third of may, 1979";
        await using var app = ServeCommand.Create(options, "http://127.0.0.1:0");
        await app.StartAsync();
        var url = app.Urls.First();

        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 }, ReducedMotion = ReducedMotion.Reduce });
        await page.GotoAsync(url);
        await page.WaitForFunctionAsync("document.getElementById('model').options.length > 0");
        await page.FillAsync("#text", text);
        await page.ClickAsync("#go");
        await page.WaitForSelectorAsync("#target .tok");

        // The same request through the API gives the weights the page must show.
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        var (_, body) = await Http.PostJson(client, Http.Json(new { text, beam = 1, model = options.Models[0].Name }));
        var t = body.GetProperty("translations")[0];
        var att = Http.Attention(t);
        Assert.Equal(t.GetProperty("text").GetString(), await page.TextContentAsync("#translation"));
        Assert.Equal(att.Length, await page.Locator("#target .tok").CountAsync());
        Assert.Equal(att[0].Length, await page.Locator("#source .tok").CountAsync());
        Assert.Equal(att.Length * att[0].Length, await page.Locator("#heatmap rect.cell").CountAsync());

        for (int row = 0; row < att.Length; row++)
        {
            await page.HoverAsync($"#target .tok[data-i='{row}']");
            AssertShading(await Spans(page, "#source"), att[row], $"target word {row}");
            Assert.True((await Spans(page, "#target"))[row].Active);
        }

        // A source word shades the target words by the weights they gave it (a column).
        await page.HoverAsync("#source .tok[data-i='0']");
        AssertShading(await Spans(page, "#target"), att.Select(r => r[0]).ToArray(), "source word 0");

        // Keyboard: focus works as hover, arrows move along the row and jump to the most-attended word.
        await page.Mouse.MoveAsync(0, 0);
        await page.FocusAsync("#target .tok[data-i='0']");
        await page.Keyboard.PressAsync("ArrowRight");
        Assert.Equal("1", await page.EvaluateAsync<string>("document.activeElement.dataset.i"));
        AssertShading(await Spans(page, "#source"), att[1], "focused target word 1");
        await page.Keyboard.PressAsync("ArrowUp");
        Assert.Equal("src", await page.EvaluateAsync<string>("document.activeElement.dataset.side"));
        int argmax = Array.IndexOf(att[1], att[1].Max());
        Assert.Equal(argmax.ToString(CultureInfo.InvariantCulture), await page.EvaluateAsync<string>("document.activeElement.dataset.i"));

        // A word in the middle of the sentence, hovered, for the picture.
        await page.EvaluateAsync("document.activeElement.blur()"); // so only the hover below shows
        await page.HoverAsync($"#target .tok[data-i='{att.Length / 2}']");
        var dir = Environment.GetEnvironmentVariable("ATTEND_SCREENSHOTS") ?? AppContext.BaseDirectory;
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "server-page.png"), FullPage = true });

        // A phone: nothing wider than the screen (the heatmap scrolls inside its own box).
        await page.SetViewportSizeAsync(390, 844);
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            "the page scrolls sideways at 390 px");
        await page.HoverAsync($"#target .tok[data-i='{att.Length / 2}']");
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "server-page-phone.png"), FullPage = true });
        await app.StopAsync();
    }

    /// <summary>Every word is shaded with alpha = its weight, and the words marked as most attended are exactly the argmax.</summary>
    private static void AssertShading(List<SpanState> spans, float[] weights, string what)
    {
        Assert.Equal(weights.Length, spans.Count);
        float max = weights.Max();
        for (int j = 0; j < spans.Count; j++)
        {
            Assert.True(Math.Abs(spans[j].Alpha - weights[j]) < 0.01, $"{what}: word {j} shaded {spans[j].Alpha}, weight {weights[j]}");
            Assert.True(spans[j].Top == (weights[j] == max), $"{what}: word {j} top={spans[j].Top}, weight {weights[j]}, max {max}");
        }
        var darkest = spans.OrderByDescending(s => s.Alpha).First();
        Assert.True(weights[darkest.I] >= max - 0.01, $"{what}: the darkest word {darkest.I} has weight {weights[darkest.I]}, the largest is {max}");
    }

    private static async Task<List<SpanState>> Spans(IPage page, string row)
    {
        var raw = await page.EvaluateAsync<string[][]>($$"""
            [...document.querySelectorAll('{{row}} .tok')].map(s => [s.dataset.i, String(s.classList.contains('top')),
              String(s.classList.contains('active')), getComputedStyle(s).backgroundColor])
            """);
        return raw.Select(r => new SpanState(int.Parse(r[0], CultureInfo.InvariantCulture), r[1] == "true", r[2] == "true", Alpha(r[3]))).ToList();
    }

    /// <summary>The alpha of a computed colour: rgb(r, g, b) is opaque, rgba(r, g, b, a) has a.</summary>
    private static double Alpha(string css)
    {
        var n = Number().Matches(css).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToList();
        return n.Count >= 4 ? n[3] : 1.0;
    }

    [GeneratedRegex(@"[0-9]*\.?[0-9]+(e-?[0-9]+)?")]
    private static partial Regex Number();
}
