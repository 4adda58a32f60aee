using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Attend.Server.Translate;

/// <summary>
/// Reads a request body of at most a limit of bytes, whether it announces its length or comes chunked, after
/// checking that its Content-Type (any media type, since `curl -d` sends a form type) does not name a charset
/// other than UTF-8. Every way a client can get this wrong is a problem document, never an exception.
/// </summary>
internal static class RequestBody
{
    /// <summary>The body, or the problem to answer instead (415 for a charset, 413 over the limit, 400 for a broken body).</summary>
    public static async Task<(ReadOnlyMemory<byte> Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (CheckContentType(request.ContentType) is string wrong) return (default, Problems.UnsupportedMediaType(wrong));
        if (request.ContentLength > limit) return (default, Problems.TooLarge(limit));
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            for (int n; (n = await request.Body.ReadAsync(chunk, ct)) > 0;)
            {
                if (buffer.Length + n > limit) return (default, Problems.TooLarge(limit));
                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, Problems.TooLarge(limit)); // Kestrel's own limit (the same number) tripped first
        }
        catch (BadHttpRequestException e)
        {
            // A broken chunked encoding, a body shorter than its Content-Length, a client too slow to send it.
            return (default, Problems.BrokenBody(e.StatusCode, e.Message));
        }
        return (buffer.GetBuffer().AsMemory(0, (int)buffer.Length), null);
    }

    /// <summary>Null when the body may be read as UTF-8 JSON, else what is wrong with the Content-Type header.</summary>
    public static string? CheckContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return null;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type) || type.MediaType.Length == 0 || type.MediaType.IndexOf('/') < 0)
            return $"Content-Type '{Utf8Text.Clip(contentType)}' is not a media type; send application/json";
        var charset = HeaderUtilities.RemoveQuotes(type.Charset).Value;
        bool utf8 = string.Equals(charset, "utf-8", StringComparison.OrdinalIgnoreCase) || string.Equals(charset, "utf8", StringComparison.OrdinalIgnoreCase);
        if (type.Charset.HasValue && !utf8)
            return $"Content-Type charset={Utf8Text.Clip(charset ?? "")}: the body must be JSON encoded as UTF-8 (charset=utf-8 or none)";
        return null;
    }
}
