using Attend.Config;
using Attend.Training;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Attend.Server.Tests;

/// <summary>Trains two tiny runs once for all tests (a few seconds): "attn" (Bahdanau) and "plain" (no attention).</summary>
public sealed class ServerFixture : IDisposable
{
    public const int MaxTextLength = 120, MaxTexts = 6, MaxBeam = 8, MaxBodyBytes = 4096;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"attend-server-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
    public string Attn => Path.Combine(Root, "attn");
    public string Plain => Path.Combine(Root, "plain");
    public WebApplicationFactory<Program> Factory { get; }

    public ServerFixture()
    {
        Train(Attn, "bahdanau", 60);
        Train(Plain, "none", 4);
        Factory = Create(batching: false);
    }

    /// <summary>A factory serving both runs (attn is the default: configuration lists models by name) with the test limits.</summary>
    public WebApplicationFactory<Program> Create(bool batching) => new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
    {
        b.UseSetting("Attend:Models:attn", Attn);
        b.UseSetting("Attend:Models:plain", Plain);
        b.UseSetting("Attend:MaxTextLength", MaxTextLength.ToString());
        b.UseSetting("Attend:MaxTexts", MaxTexts.ToString());
        b.UseSetting("Attend:MaxBeam", MaxBeam.ToString());
        b.UseSetting("Attend:MaxBodyBytes", MaxBodyBytes.ToString());
        b.UseSetting("Attend:Batching", batching ? "true" : "false");
    });

    /// <summary>The options `attend serve --model attn=… --model plain=…` would build, with the test limits.</summary>
    internal ServerOptions Options(bool batching = false) => new()
    {
        Models = [new ModelSpec("attn", Attn), new ModelSpec("plain", Plain)],
        MaxTextLength = MaxTextLength, MaxTexts = MaxTexts, MaxBeam = MaxBeam, MaxBodyBytes = MaxBodyBytes, Batching = batching,
    };

    private static void Train(string dir, string attention, long steps)
    {
        var config = ConfigLoader.Load($"""
            name: {attention}
            seed: 5
            data:
              tokenizer: char
              demo_train_size: 640
              demo_dev_size: 16
              demo_test_size: 16
            model:
              attention: {attention}
              embedding_size: 12
              hidden_size: 24
            training:
              lr: 0.01
              batch_size: 32
              epochs: 100
              validate_every: 30
              print_samples: 0
            testing:
              beam_size: 1
            """, "server-tests", [$"training.max_steps={steps}", $"training.run_dir={dir}"]);
        TrainingRun.Start(config, false, ITrainingObserver.Silent).Run();
    }

    public void Dispose()
    {
        Factory.Dispose();
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
