using System.Diagnostics;
using System.Text.Json;
using Attend.Server.Models;
using Attend.Server.Translate;
using Attend.Text;

namespace Attend.Server.Health;

/// <summary>
/// The warm-up at start: on a background thread, each model answers two in-memory requests (greedy and a
/// beam) through the translate endpoint's own code and its own decoder, so what a request runs is compiled
/// before the first client arrives (without it the first request paid ~1.6 s of JIT). The server listens
/// meanwhile; /healthz says "warming up" (503) until this is done.
/// </summary>
internal sealed class Warmup(ModelRegistry models, ServerOptions options, IServiceProvider services, ILogger<Warmup> log) : BackgroundService
{
    public enum State { WarmingUp, Ready, Failed }

    private volatile int _state = (int)State.WarmingUp;

    public State Current => (State)_state;

    protected override Task ExecuteAsync(CancellationToken stop) => Task.Run(() => RunAsync(stop), stop);

    private async Task RunAsync(CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        foreach (var model in models.All)
        {
            try
            {
                await WarmAsync(model, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "warm-up: decoding a sentence with model '{Model}' failed", model.Name);
                _state = (int)State.Failed;
                return;
            }
        }
        log.LogInformation("warm-up: {Count} model(s) answered a greedy and a beam request in {Ms:F0} ms; ready",
            models.All.Count, clock.Elapsed.TotalMilliseconds);
        _state = (int)State.Ready;
    }

    private async Task WarmAsync(ServedModel model, CancellationToken stop)
    {
        // A few source words the model knows (after <pad> <s> </s> <unk>), sent as a request's text is.
        var words = model.Loaded.SourceVocab.Tokens.Skip(Vocabulary.Specials.Length).Take(6).ToArray();
        string text = words.Length > 0 ? string.Join(' ', words) : "warm up";
        foreach (int beam in new[] { 1, Math.Min(2, options.MaxBeam) }.Distinct())
        {
            // The endpoint's own code on an in-memory request: body reading, parsing, checks, tokenizing,
            // decoding through the model's decoder, shaping and writing the JSON answer.
            var http = new DefaultHttpContext { RequestServices = services };
            http.Request.Method = HttpMethods.Post;
            http.Request.ContentType = "application/json";
            http.Request.Body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new { text, model = model.Name, beam, nbest = beam }));
            http.Response.Body = new MemoryStream();
            var answer = await TranslateEndpoints.Translate(http.Request, models, options, stop);
            await answer.Result.ExecuteAsync(http);
            if (http.Response.StatusCode != StatusCodes.Status200OK)
                throw new InvalidOperationException($"the warm-up request answered {http.Response.StatusCode}: " +
                    System.Text.Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
        }
    }
}
