using System.Net;
using System.Net.Http.Headers;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Data;

/// <summary>A download that could not be completed or verified; the message names the URL and the reason.</summary>
internal sealed class DownloadException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>How hard to try: attempts per file (the first included) and the pause before each retry.</summary>
internal sealed record DownloadOptions(int Attempts = 5, TimeSpan? RetryDelay = null, TimeSpan? Timeout = null)
{
    public TimeSpan Delay => RetryDelay ?? TimeSpan.FromSeconds(2);
}

/// <summary>
/// Downloads files over HTTP so that a file at its final name is always complete and verified: bytes go to
/// <c>NAME.part</c>; an interrupted transfer is resumed with an HTTP <c>Range</c> request when the server answers
/// 206 with a matching <c>Content-Range</c> (else the part is restarted from byte 0); at the end the size, the
/// gzip stream (for <c>.gz</c>: it must decompress to the length its trailer records) and the SHA-256 are checked,
/// and only then is the part renamed to NAME (an atomic rename on one file system). A file already present with
/// the right checksum is not fetched again. Connection errors, timeouts and 5xx/408/429 answers are retried;
/// other HTTP errors and a checksum mismatch are not (a mirror serving wrong bytes would serve them again).
/// </summary>
internal sealed class Downloader(HttpClient http, DownloadOptions? options = null, Action<string>? log = null)
{
    private readonly DownloadOptions _options = options ?? new DownloadOptions();
    private readonly Action<string> _log = log ?? (_ => { });

    /// <summary>Fetches every file of <paramref name="dataset"/> into <paramref name="outDir"/> from its base URL (or a mirror's).</summary>
    public async Task<IReadOnlyList<string>> GetAsync(Dataset dataset, string outDir, string? baseUrl = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(outDir);
        var root = baseUrl ?? dataset.BaseUrl;
        if (!root.EndsWith('/')) root += "/";
        var paths = new List<string>();
        foreach (var f in dataset.Files)
        {
            var url = new Uri(new Uri(root), f.Name);
            paths.Add(await DownloadFileAsync(url, Path.Combine(outDir, f.Name), f, cancel));
        }
        return paths;
    }

    /// <summary>Downloads one file to <paramref name="destination"/> and verifies it against <paramref name="expected"/>.</summary>
    public async Task<string> DownloadFileAsync(Uri url, string destination, RemoteFile expected, CancellationToken cancel = default)
    {
        if (File.Exists(destination))
        {
            if (Verify(destination, expected) is null) { _log($"{destination}: present, verified"); return destination; }
            _log($"{destination}: present but does not match its checksum; downloading again");
        }
        var part = destination + ".part";
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await TransferAsync(url, part, expected, cancel);
                break;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or OperationCanceledException
                                      && e is not DownloadException && !cancel.IsCancellationRequested)
            {
                if (e is HttpRequestException { StatusCode: { } code } && !Transient(code))
                    throw new DownloadException($"{url}: HTTP {(int)code} {code}", e);
                long have = File.Exists(part) ? new FileInfo(part).Length : 0;
                if (attempt >= _options.Attempts)
                    throw new DownloadException($"{url}: failed after {attempt} attempts ({Reason(e)}); {have} of {expected.Size} bytes kept in {part}, run again to resume", e);
                _log($"{url}: attempt {attempt} failed ({Reason(e)}) at {have} of {expected.Size} bytes; retrying");
                await Task.Delay(_options.Delay, cancel);
            }
        }
        if (Verify(part, expected) is string problem)
        {
            File.Delete(part);
            throw new DownloadException($"{url}: {problem}; the download was deleted");
        }
        File.Move(part, destination, overwrite: true);
        _log($"{destination}: {expected.Size} bytes, SHA-256 verified");
        return destination;
    }

    private static bool Transient(HttpStatusCode code) =>
        (int)code >= 500 || code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private static string Reason(Exception e) => e is OperationCanceledException ? "timed out" : e.Message;

    /// <summary>One request: resumes <paramref name="part"/> when it has bytes and the server honours the range.</summary>
    private async Task TransferAsync(Uri url, string part, RemoteFile expected, CancellationToken cancel)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (have > expected.Size) { File.Delete(part); have = 0; }
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(_options.Timeout ?? TimeSpan.FromMinutes(2));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (have > 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The part already holds every byte the server has (or more): let the checks decide.
            if (response.Content.Headers.ContentRange?.Length == have) return;
            File.Delete(part);
            throw new IOException($"range {have}- not satisfiable; restarting from byte 0");
        }
        if (response.StatusCode == HttpStatusCode.NotFound) throw new DownloadException($"{url}: HTTP 404 Not Found");
        response.EnsureSuccessStatusCode();
        bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent
                      && response.Content.Headers.ContentRange is { From: long from } && from == have;
        if (have > 0 && !append) _log($"{url}: the server did not resume at byte {have}; starting over");
        long? total = response.Content.Headers.ContentLength is long len ? (append ? have : 0) + len : null;
        if (total is long t && t != expected.Size)
            throw new DownloadException($"{url}: the server announces {t} bytes, expected {expected.Size}");
        await using (var file = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        await using (var body = await response.Content.ReadAsStreamAsync(timeout.Token))
            await body.CopyToAsync(file, 1 << 16, timeout.Token);
        long got = new FileInfo(part).Length;
        // A connection closed early without an error (no Content-Length, or a lenient stack) is still a cut file.
        if (got < expected.Size) throw new IOException($"connection ended at {got} of {expected.Size} bytes");
    }

    /// <summary>Null when the file is what <paramref name="expected"/> says, else the reason it is not.</summary>
    public static string? Verify(string path, RemoteFile expected)
    {
        long size = new FileInfo(path).Length;
        if (size != expected.Size) return $"size is {size} bytes, expected {expected.Size}";
        if (expected.Name.EndsWith(".gz", StringComparison.Ordinal))
        {
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
                using var gz = GzipLengthCheckStream.Open(file);
                gz.CopyTo(Stream.Null);
            }
            catch (InvalidDataException e)
            {
                return $"not a complete gzip file ({e.Message})";
            }
        }
        var sha = FileHash.Sha256(path);
        return string.Equals(sha, expected.Sha256, StringComparison.OrdinalIgnoreCase) ? null
            : $"SHA-256 is {sha}, expected {expected.Sha256}";
    }
}
