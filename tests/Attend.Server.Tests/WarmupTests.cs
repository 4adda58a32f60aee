using System.Text.Json;
using Attend.Decoding;
using Attend.Runs;
using Attend.Server.Models;
using Attend.Server.Translate;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Attend.Server.Tests;

/// <summary>The warm-up decode at start: /healthz is a 503 "warming up" until every model has decoded, then "ok".</summary>
[Collection(ServerCollection.Name)]
public class WarmupTests(ServerFixture fx)
{
    /// <summary>A model's real decoder behind a gate the test opens, counting the decodes that reach it.</summary>
    private sealed class Gated(ISentenceDecoder inner) : ISentenceDecoder
    {
        public readonly TaskCompletionSource Open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Calls;

        public async Task<List<TextHypothesis[]>> DecodeAsync(IReadOnlyList<string[]> sources, SearchOptions search, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            await Open.Task.WaitAsync(ct);
            return await inner.DecodeAsync(sources, search, ct);
        }
    }

    private sealed class Failing : ISentenceDecoder
    {
        public Task<List<TextHypothesis[]>> DecodeAsync(IReadOnlyList<string[]> sources, SearchOptions search, CancellationToken ct) =>
            throw new InvalidOperationException("secret internal detail");
    }

    private (Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Factory, HttpClient Client) Serve(params ServedModel[] models)
    {
        var factory = fx.Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton(new ModelRegistry(models))));
        return (factory, factory.CreateClient());
    }

    private static async Task Until(Func<bool> condition)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(1); !condition() && DateTime.UtcNow < deadline;) await Task.Delay(10);
    }

    [Fact]
    public async Task Health_is_503_warming_up_until_every_model_has_decoded_then_ok()
    {
        var attn = RunDirectory.LoadModel(fx.Attn);
        var plain = RunDirectory.LoadModel(fx.Plain);
        var a = new Gated(new DirectDecoder(attn));
        var p = new Gated(new DirectDecoder(plain));
        var (factory, client) = Serve(new ServedModel("attn", attn, a), new ServedModel("plain", plain, p));
        using (factory)
        using (client)
        {
            await Until(() => Volatile.Read(ref a.Calls) > 0);
            Assert.Equal(1, Volatile.Read(ref a.Calls));
            var (r1, b1) = await Http.Get(client, "/healthz");
            Assert.Equal(503, (int)r1.StatusCode);
            Assert.Equal("warming up", b1.GetProperty("status").GetString());
            Assert.Equal(2, b1.GetProperty("models").GetInt32());

            a.Open.SetResult();
            await Until(() => Volatile.Read(ref p.Calls) > 0);
            var (r2, b2) = await Http.Get(client, "/healthz");
            Assert.Equal(503, (int)r2.StatusCode);   // the second model is still warming up

            p.Open.SetResult();
            var (r3, b3) = await Http.WaitReady(client);
            Assert.Equal(200, (int)r3.StatusCode);
            Assert.Equal("ok", b3.GetProperty("status").GetString());
            Assert.False(b3.TryGetProperty("detail", out _));
            // Greedy and a beam, each through the model's own decoder.
            Assert.Equal(2, a.Calls);
            Assert.Equal(2, p.Calls);
        }
    }

    [Fact]
    public async Task A_model_that_cannot_decode_leaves_health_at_503_failed_without_internals()
    {
        var (factory, client) = Serve(new ServedModel("attn", RunDirectory.LoadModel(fx.Attn), new Failing()));
        using (factory)
        using (client)
        {
            var (response, body) = await Http.WaitReady(client);
            Assert.Equal(503, (int)response.StatusCode);
            Assert.Equal("failed", body.GetProperty("status").GetString());
            Assert.Contains("the server log says which", body.GetProperty("detail").GetString());
            Assert.DoesNotContain("secret", body.GetRawText());
        }
    }
}
