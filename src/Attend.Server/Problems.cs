using Attend.Server.Translate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attend.Server;

/// <summary>RFC 7807 problem documents for the errors a client can cause; the detail says what to fix.</summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem($"the request body is over the limit of {limit} bytes", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    /// <summary>The body could not be read as HTTP (Kestrel's status, 400 or 408, and its one-line reason).</summary>
    public static ProblemHttpResult BrokenBody(int status, string reason) =>
        TypedResults.Problem($"the request body could not be read: {reason}", statusCode: status is >= 400 and < 500 ? status : 400,
            title: "Bad request body");

    public static ProblemHttpResult UnknownModel(string name, IEnumerable<string> known) =>
        TypedResults.Problem($"no model named '{Utf8Text.Clip(name)}' (this server has: {string.Join(", ", known)})",
            statusCode: StatusCodes.Status404NotFound, title: "Unknown model");
}
