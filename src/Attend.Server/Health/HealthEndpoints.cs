using System.Text.Json.Serialization;

namespace Attend.Server.Health;

/// <summary>
/// Readiness: "ok" (200) once the models are loaded (before the server listens) and the warm-up decode is done;
/// "warming up" (503) before, "failed" (503, with a detail) when a model could not decode its warm-up sentence.
/// </summary>
internal sealed record Health(string Status, int Models,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null);

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (Models.ModelRegistry models, Warmup warmup) => warmup.Current switch
        {
            Warmup.State.Ready => TypedResults.Json(new Health("ok", models.All.Count)),
            Warmup.State.WarmingUp => TypedResults.Json(new Health("warming up", models.All.Count,
                "decoding a first sentence with each model; retry in a moment"), statusCode: StatusCodes.Status503ServiceUnavailable),
            _ => TypedResults.Json(new Health("failed", models.All.Count,
                "a model could not decode its warm-up sentence; the server log says which and why"), statusCode: StatusCodes.Status503ServiceUnavailable),
        });
        return app;
    }
}
