using Microsoft.AspNetCore.Http.HttpResults;

namespace Attend.Server;

/// <summary>RFC 7807 problem documents for the errors a client can cause; the detail says what to fix.</summary>
public static class Problems
{
    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem($"the request body is over the limit of {limit} bytes", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");

    public static ProblemHttpResult UnknownModel(string name, IEnumerable<string> known) =>
        TypedResults.Problem($"no model named '{name}' (this server has: {string.Join(", ", known)})", statusCode: StatusCodes.Status404NotFound, title: "Unknown model");
}
