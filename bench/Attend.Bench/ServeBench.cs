using System.Diagnostics;
using System.Net.Http.Json;
using Attend.Server;
using Attend.Server.Models;
using Attend.Server.Translate;
using Attend.Tensors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Attend.Bench;

/// <summary>
/// `serve`: a bounded load test of `attend serve`'s app on loopback TCP. The app runs in this process
/// (real Kestrel on 127.0.0.1, real HTTP/1.1 clients), once with request batching and once without;
/// each run sends N requests from C concurrent clients, one demo date per request, after a warm-up,
/// and reports throughput, p50/p90/p99 latency, errors (any non-200 counts), and the process's CPU time
/// per request (server and clients together: on a shared machine the steadier measure of work done).
/// </summary>
internal static class ServeBench
{
    private const string Usage = "usage: serve --model RUN [--requests 2000] [--concurrency 16] [--warmup 200] [--beam 1] [--batching on|off|both] "
        + "[--workers W] [--precision fp32,int8,bf16]";

    public static int Run(string[] args)
    {
        string? model = null;
        int requests = 2000, concurrency = 16, warmup = 200, beam = 1, workers = new ServerOptions().Workers;
        string batching = "both";
        var precisions = new List<Precision> { Precision.Fp32 };
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--model": model = Next(); break;
                case "--requests": requests = int.Parse(Next()); break;
                case "--concurrency": concurrency = int.Parse(Next()); break;
                case "--warmup": warmup = int.Parse(Next()); break;
                case "--beam": beam = int.Parse(Next()); break;
                case "--batching": batching = Next(); break;
                case "--workers": workers = int.Parse(Next()); break;
                case "--precision": precisions = Next().Split(',').Select(p => Enum.Parse<Precision>(p, ignoreCase: true)).ToList(); break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default: Console.Error.WriteLine($"serve: unknown option '{args[i]}'\n{Usage}"); return 2;
            }
        }
        if (model is null || batching is not ("on" or "off" or "both")) { Console.Error.WriteLine(Usage); return 2; }
        var texts = Attend.Data.DateTask.GenerateLists(new Rng(11), 500, 1).Select(p => p.Source).ToArray();
        Console.WriteLine($"serve: {model}, {requests} requests, {concurrency} concurrent, beam {beam}, {Environment.ProcessorCount} cores, " +
                          $"{workers} batch workers, texts {texts.Average(t => t.Length):F0} chars on average");
        Console.WriteLine($"{"precision",-9} {"batching",-9} "
            + $"{"req/s",8} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8} {"errors",7} {"batches",8} {"cpu ms",8}");
        int failures = 0;
        foreach (var precision in precisions)
            foreach (bool on in batching == "both" ? new[] { false, true } : [batching == "on"])
                failures += Measure(model, precision, on, texts, requests, concurrency, warmup, beam, workers).GetAwaiter().GetResult();
        return failures == 0 ? 0 : 1;
    }

    private static async Task<int> Measure(string model, Precision precision, bool batching, string[] texts, int requests, int concurrency, int warmup,
        int beam, int workers)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var options = new ServerOptions { Models = [new ModelSpec("bench", model)], Batching = batching, Workers = workers, Precision = precision };
        await using var app = Attend.Server.Program.Build(builder, options);
        await app.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = new Uri(app.Urls.First()) };

        int next = 0, errors = 0;
        var latencies = new double[requests];
        async Task Client(int count, bool record)
        {
            for (int i; (i = Interlocked.Increment(ref next) - 1) < count;)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await client.PostAsJsonAsync("/api/translate", new { text = texts[i % texts.Length], beam });
                await response.Content.ReadAsByteArrayAsync();
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                if (record) latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Client(warmup, false)));
        (next, errors) = (0, 0);
        var decoder = app.Services.GetRequiredService<ModelRegistry>().Default.Decoder as BatchingDecoder;
        long batchesBefore = decoder?.Batches ?? 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Client(requests, true)));
        double seconds = clock.Elapsed.TotalSeconds;
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / requests;
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        string batches = decoder is null ? "-" : (decoder.Batches - batchesBefore).ToString();
        Console.WriteLine($"{precision.ToString().ToLowerInvariant(),-9} {(batching ? "on" : "off"),-9} "
            + $"{requests / seconds,8:F1} {P(0.50),8:F1} {P(0.90),8:F1} {P(0.99),8:F1} {latencies[^1],8:F1} {errors,7} {batches,8} {cpuMs,8:F2}");
        await app.StopAsync();
        return errors;
    }
}
