using Attend.Server.Translate;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace Attend.Server;

/// <summary>
/// Problem documents for what is refused before any endpoint runs, with a detail that says what to do: an
/// unknown path (404, listing the endpoints), a method the path does not take (405, naming the allowed ones).
/// </summary>
internal static class StatusPages
{
    public const string Endpoints = "POST /api/translate, GET /api/models, GET /api/model, GET /api/model/{name}, GET /healthz, GET /";

    public static async Task Write(StatusCodeContext context)
    {
        var http = context.HttpContext;
        int status = http.Response.StatusCode;
        string path = Utf8Text.Clip(http.Request.Path.Value ?? "/", 100), method = Utf8Text.Clip(http.Request.Method, 20);
        string detail = status switch
        {
            StatusCodes.Status404NotFound => $"no endpoint at {path} (this server has: {Endpoints})",
            StatusCodes.Status405MethodNotAllowed => $"method {method} is not allowed at {path} (allowed: {http.Response.Headers.Allow})",
            _ => $"the request ({method} {path}) was refused: {ReasonPhrases.GetReasonPhrase(status)}",
        };
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Title = ReasonPhrases.GetReasonPhrase(status), Detail = detail },
        });
    }
}
