using System.CommandLine;
using Attend.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Attend.Cli.Commands;

/// <summary>`attend serve --model RUN`: the HTTP API and the attention page (src/Attend.Server), on loopback unless --urls says otherwise.</summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5000";

    public static Command Build()
    {
        var cmd = new Command("serve", "Serve trained models over HTTP: POST /api/translate, GET /api/model, GET /healthz, and the attention page at /.");
        var model = new Option<string[]>("--model") { Description = "Run directory or checkpoint to serve, as RUN or name=RUN; repeat for several models (the first is the default)", Required = true };
        var urls = new Option<string>("--urls") { Description = "Where to listen, ';'-separated (e.g. http://0.0.0.0:8080 to accept other machines)", DefaultValueFactory = _ => DefaultUrls };
        var d = new ServerOptions();
        var maxText = NumericOption.Create("--max-text-length", "Characters per text", 1, 1_000_000, d.MaxTextLength);
        var maxTexts = NumericOption.Create("--max-texts", "Texts per request", 1, 100_000, d.MaxTexts);
        var maxBeam = NumericOption.Create("--max-beam", "Largest beam a request may ask for", 1, Attend.Decoding.SearchLimits.MaxBeam, d.MaxBeam);
        var maxBody = NumericOption.Create("--max-body-bytes", "Bytes per request body (413 above)", 1L, 1L << 31, d.MaxBodyBytes);
        var maxAttention = NumericOption.Create("--max-attention-weights",
            "Attention weights one request may need in the worst case (texts × beam × output steps × source tokens; 400 above)", 1L, 1L << 40, d.MaxAttentionWeights);
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Lowest level ASP.NET Core logs (Information: a line per request); the listening address and warm-up lines always show",
            DefaultValueFactory = _ => d.LogLevel,
        };
        var batching = new Option<bool>("--batching") { Description = "Decode concurrent requests together in shared batches (off: each request decodes on its own thread; see docs/performance.md)" };
        var maxBatch = NumericOption.Create("--max-batch", "Sentences per shared batch (with --batching)", 1, 4096, d.MaxBatch);
        var workers = NumericOption.Create("--workers", "Batched decodes running at once (with --batching; default: one per core)", 1, 1024, d.Workers);
        var precision = PrecisionOption.Create("Weights of every model in fp32, int8 or bf16 (quantizes fp32 checkpoints as they load; default: as stored)");
        foreach (var o in new Option[] { model, urls, maxText, maxTexts, maxBeam, maxBody, maxAttention, logLevel, batching, maxBatch, workers, precision })
            cmd.Options.Add(o);
        cmd.SetAction(pr => CommandGuard.Run(pr, "serve", (stdout, err) =>
        {
            var options = new ServerOptions
            {
                Models = pr.GetValue(model)!.Select(ModelSpec.Parse).ToList(),
                MaxTextLength = pr.GetValue(maxText),
                MaxTexts = pr.GetValue(maxTexts),
                MaxBeam = pr.GetValue(maxBeam),
                MaxBodyBytes = pr.GetValue(maxBody),
                MaxAttentionWeights = pr.GetValue(maxAttention),
                LogLevel = pr.GetValue(logLevel),
                Batching = pr.GetValue(batching),
                MaxBatch = pr.GetValue(maxBatch),
                Workers = pr.GetValue(workers),
                Precision = pr.GetValue(precision),
            };
            var app = Create(options, pr.GetValue(urls)!);
            app.Lifetime.ApplicationStarted.Register(() =>
                stdout.WriteLine($"attend serve: {string.Join(", ", options.Models.Select(m => $"{m.Name} ({m.Path})"))} on {string.Join(' ', app.Urls)} (Ctrl-C stops)"));
            try
            {
                app.Run();
            }
            catch (IOException e) when (e.InnerException is AddressInUseException)
            {
                err.WriteLine($"attend serve: cannot listen on {pr.GetValue(urls)}: {e.Message}");
                return CommandGuard.BadInput;
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>The app `attend serve` runs, listening on <paramref name="urls"/> (port 0 picks a free one).</summary>
    public static WebApplication Create(ServerOptions options, string urls)
    {
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls(urls);
        return Attend.Server.Program.Build(builder, options);
    }
}
