using System.Net;
using System.Net.Sockets;

namespace Attend.Tests.Data;

/// <summary>
/// An HTTP server on 127.0.0.1 (HttpListener) serving the files of one folder, with knobs for the failures a
/// downloader must survive: honouring <c>Range</c> or not, cutting the connection after some bytes, and
/// changing a byte of what it sends.
/// </summary>
internal sealed class LocalFileServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly Task _loop;
    private readonly List<(string Path, long? RangeFrom, int Status)> _requests = [];

    /// <summary>Answer a Range request with 206 (else ignore the header and send the whole file with 200).</summary>
    public bool SupportRange { get; init; } = true;
    /// <summary>For request number n (1-based, over all requests) the byte offset at which to reset the connection, or null.</summary>
    public Func<int, long?> CutAt { get; init; } = _ => null;
    /// <summary>An offset in the file whose byte is flipped (XOR 0xFF) in every response, or null.</summary>
    public long? FlipByteAt { get; init; }

    public string BaseUrl { get; }

    public LocalFileServer(string root)
    {
        _root = root;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{port}/files/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public IReadOnlyList<(string Path, long? RangeFrom, int Status)> Requests { get { lock (_requests) return [.. _requests]; } }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => Handle(ctx));
        }
    }

    private void Handle(HttpListenerContext ctx)
    {
        var name = ctx.Request.Url!.AbsolutePath["/files/".Length..];
        var path = Path.Combine(_root, name);
        long? from = null;
        if (ctx.Request.Headers["Range"] is string range && range.StartsWith("bytes=") && range.EndsWith('-'))
            from = long.Parse(range["bytes=".Length..^1]);
        int n;
        var res = ctx.Response;
        if (!File.Exists(path))
        {
            lock (_requests) { _requests.Add((name, from, 404)); }
            res.StatusCode = 404;
            res.Close();
            return;
        }
        var bytes = File.ReadAllBytes(path);
        if (FlipByteAt is long flip) bytes[flip] ^= 0xFF;
        long start = 0;
        if (from is long f && SupportRange)
        {
            if (f >= bytes.Length)
            {
                lock (_requests) { _requests.Add((name, from, 416)); }
                res.StatusCode = 416;
                res.Headers["Content-Range"] = $"bytes */{bytes.Length}";
                res.Close();
                return;
            }
            start = f;
            res.StatusCode = 206;
            res.Headers["Content-Range"] = $"bytes {f}-{bytes.Length - 1}/{bytes.Length}";
        }
        lock (_requests) { _requests.Add((name, from, res.StatusCode)); n = _requests.Count; }
        res.ContentLength64 = bytes.Length - start;
        try
        {
            if (CutAt(n) is long cut && cut > start && cut < bytes.Length)
            {
                res.OutputStream.Write(bytes, (int)start, (int)(cut - start));
                res.OutputStream.Flush();
                res.Abort(); // resets the connection: the client sees a body shorter than its Content-Length
                return;
            }
            res.OutputStream.Write(bytes, (int)start, (int)(bytes.Length - start));
            res.Close();
        }
        catch (HttpListenerException) { }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
