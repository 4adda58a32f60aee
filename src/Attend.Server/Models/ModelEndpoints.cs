using Microsoft.AspNetCore.Http.HttpResults;

namespace Attend.Server.Models;

/// <summary>One line per model for the page's model choice.</summary>
internal sealed record ModelSummary(string Name, bool IsDefault, string Attention, long Parameters, int DefaultBeam);

/// <summary>GET /api/models (the list), /api/model (the default model), /api/model/{name}.</summary>
internal static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/models", (ModelRegistry models) => TypedResults.Ok(models.All.Select(m =>
            new ModelSummary(m.Name, ReferenceEquals(m, models.Default), m.Info.Attention, m.Info.Parameters, m.DefaultSearch.BeamSize)).ToList()));
        app.MapGet("/api/model", (ModelRegistry models) => TypedResults.Ok(models.Default.Info));
        app.MapGet("/api/model/{name}", Results<Ok<ModelInfo>, ProblemHttpResult> (string name, ModelRegistry models) =>
            models.TryGet(name, out var m) ? TypedResults.Ok(m.Info) : Problems.UnknownModel(name, models.Names));
        return app;
    }
}
