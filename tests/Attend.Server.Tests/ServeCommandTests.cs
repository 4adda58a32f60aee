using System.Diagnostics;
using System.Text.RegularExpressions;
using Attend.Cli.Commands;

namespace Attend.Server.Tests;

/// <summary>The real `attend serve` process: it listens, answers, and refuses bad arguments with exit code 2.</summary>
[Collection(ServerCollection.Name)]
public class ServeCommandTests(ServerFixture fx)
{
    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(ServeCommand).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    [Fact]
    public async Task Serve_listens_on_loopback_and_answers_until_stopped()
    {
        using var p = Start("serve", "--model", $"attn={fx.Attn}", "--model", fx.Plain, "--urls", "http://127.0.0.1:0", "--batching");
        try
        {
            var (url, _) = await ReadUrl(p);
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            var (health, body) = await Http.WaitReady(client);
            Assert.Equal(200, (int)health.StatusCode);
            Assert.Equal(2, body.GetProperty("models").GetInt32());
            var (r, t) = await Http.PostJson(client, """{"text": "3/5/79", "model": "plain"}""");
            Assert.Equal(200, (int)r.StatusCode);
            Assert.Equal("plain", t.GetProperty("model").GetString());
        }
        finally
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
    }

    /// <summary>Reads stdout up to the "attend serve: … on URL" line; returns the URL and the lines read.</summary>
    private static async Task<(string Url, List<string> Lines)> ReadUrl(Process p)
    {
        var lines = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && await p.StandardOutput.ReadLineAsync() is string line)
        {
            lines.Add(line);
            var m = Regex.Match(line, @"^attend serve: .* on (http://127\.0\.0\.1:\d+)");
            if (m.Success) return (m.Groups[1].Value, lines);
        }
        Assert.Fail("no 'attend serve: … on URL' line; stderr: " + (p.HasExited ? await p.StandardError.ReadToEndAsync() : ""));
        return ("", lines);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Information", true)]
    public async Task Requests_are_not_logged_unless_the_log_level_asks_but_the_listening_address_is(string? level, bool logged)
    {
        string[] args = ["serve", "--model", fx.Attn, "--urls", "http://127.0.0.1:0"];
        using var p = Start(level is null ? args : [.. args, "--log-level", level]);
        try
        {
            var (url, lines) = await ReadUrl(p);
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            Assert.Equal(200, (int)(await Http.WaitReady(client)).Response.StatusCode);
            var (r, _) = await Http.PostJson(client, """{"text": "3/5/79"}""");
            Assert.Equal(200, (int)r.StatusCode);
            // A graceful stop flushes the console log; its last line says so.
            using (var term = Process.Start("kill", ["-TERM", p.Id.ToString()])) await term.WaitForExitAsync();
            lines.AddRange((await p.StandardOutput.ReadToEndAsync()).Split('\n'));
            await p.WaitForExitAsync();
            var log = string.Join('\n', lines);
            Assert.Contains("Application is shutting down", log);
            Assert.Contains($"Now listening on: {url}", log);
            Assert.Equal(logged, log.Contains("Request starting HTTP/1.1 POST"));
            Assert.Equal(logged, log.Contains("Microsoft.AspNetCore."));
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("missing-run", "no such run or checkpoint directory")]
    [InlineData("a=x --model a=y", "'a' is given twice")]
    public async Task Serve_with_a_bad_model_exits_2_naming_the_problem(string model, string message)
    {
        var args = new List<string> { "serve", "--urls", "http://127.0.0.1:0" };
        foreach (var spec in model.Split(" --model ")) { args.Add("--model"); args.Add(spec.StartsWith("missing") ? Path.Combine(fx.Root, spec) : spec); }
        using var p = Start([.. args]);
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("attend serve: ", stderr);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task Serve_help_lists_its_options()
    {
        using var p = Start("serve", "--help");
        var stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
        foreach (var o in new[] { "--model", "--urls", "--max-text-length", "--max-texts", "--max-beam", "--max-body-bytes", "--max-attention-weights", "--log-level", "--batching" })
            Assert.Contains(o, stdout);
        Assert.Contains(ServeCommand.DefaultUrls, stdout);
    }
}
