namespace Attend.Server.Translate;

/// <summary>Reads a request body of at most a limit of bytes, whether it announces its length or comes chunked.</summary>
public static class RequestBody
{
    /// <summary>The body, or null when it is over <paramref name="limit"/> bytes.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) return null;
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            for (int n; (n = await request.Body.ReadAsync(chunk, ct)) > 0;)
            {
                if (buffer.Length + n > limit) return null;
                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null; // Kestrel's own limit (the same number) tripped first
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
