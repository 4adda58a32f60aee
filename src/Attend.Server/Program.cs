// The HTTP face of Attend: `attend serve` builds this same app (Program.Build). This file is the table of
// contents: options and services, then one MapX per feature (Translate/, Models/, Health/ with the warm-up, Page/).
using Attend.Server.Health;
using Attend.Server.Models;
using Attend.Server.Page;
using Attend.Server.Translate;

namespace Attend.Server;

public sealed class Program
{
    /// <summary>Standalone entry (`dotnet run --project src/Attend.Server -- --Attend:Models:NAME=RUN`); `attend serve` is the usual way in.</summary>
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        Build(builder, ServerOptions.FromConfiguration(builder.Configuration)).Run();
    }

    /// <summary>Loads the models of <paramref name="options"/> and maps every endpoint.</summary>
    internal static WebApplication Build(WebApplicationBuilder builder, ServerOptions options)
    {
        options.Validate();
        builder.Services.AddSingleton(options);
        // ASP.NET Core logs every request at Information: quiet by default, so load and fuzzing do not flood the log.
        builder.Logging.SetMinimumLevel(options.LogLevel < LogLevel.Information ? options.LogLevel : LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", options.LogLevel);
        builder.Services.AddSingleton(_ => ModelRegistry.Load(options));
        builder.Services.AddSingleton<Warmup>();
        builder.Services.AddHostedService(s => s.GetRequiredService<Warmup>());   // /healthz is ready after it
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(j => ApiJson.Configure(j.SerializerOptions));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);

        var app = builder.Build();
        app.UseExceptionHandler();   // unexpected errors: a problem document with no stack trace
        app.UseStatusCodePages(StatusPages.Write);   // unknown routes and methods: problem documents too
        app.MapTranslate();          // POST /api/translate
        app.MapModels();             // GET /api/models, /api/model, /api/model/{name}
        app.MapHealth();             // GET /healthz
        app.MapPage();               // GET / and its script and style
        // Load the models now, so a bad run directory fails at startup rather than on the first request.
        app.Services.GetRequiredService<ModelRegistry>();
        return app;
    }
}
