namespace Attend.Server.Health;

/// <summary>Liveness: the models are loaded (they load before the server listens) and the process answers.</summary>
public sealed record Health(string Status, int Models);

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (Models.ModelRegistry models) => TypedResults.Ok(new Health("ok", models.All.Count)));
        return app;
    }
}
