// The one check every command runs on a file before it reads it: a regular file (or a pipe handed over by the
// shell) is read; a directory, a device such as /dev/zero or a named pipe is refused up front, since reading
// one would fail with an obscure message, grow memory without end or block forever.
namespace Attend.Tensors.IO;

/// <summary>Checks input paths before they are opened.</summary>
public static class InputFile
{
    /// <summary>
    /// Throws <see cref="FileRefusedException"/> when <paramref name="path"/> exists but is not a regular file.
    /// A missing path passes (the reader reports it in its own words). An anonymous pipe reached through
    /// <c>/dev/fd/N</c>, <c>/proc/…/fd/N</c> or <c>/dev/stdin</c> (bash's <c>&lt;(zcat …)</c>, a redirected
    /// stdin) passes too: the shell has a writer at its other end; a named pipe on disk may have none.
    /// </summary>
    public static void Check(string path)
    {
        var stat = FileStat.Of(path);
        if (stat.Kind is FileKind.Regular or FileKind.Missing) return;
        if (stat.Kind == FileKind.Pipe && IsShellPipe(path)) return;
        throw new FileRefusedException(path, stat.Kind == FileKind.Directory
            ? "is a directory, not a file"
            : $"is not a regular file ({FileStat.Describe(stat.Kind)})");
    }

    /// <summary>
    /// Reads a whole file after <see cref="Check"/>, refusing one larger than <paramref name="maxBytes"/> (by default
    /// <see cref="Array.MaxLength"/>; checked
    /// as it reads, so a pipe cannot grow memory either); <paramref name="what"/> names the limit in the error.
    /// </summary>
    public static byte[] ReadAllBytes(string path, long maxBytes = 0x7FFFFFC7, string what = "a file Attend reads whole")
    {
        Check(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (stream.CanSeek && stream.Length > maxBytes) throw TooLarge(path, maxBytes, what);
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        for (int n; (n = stream.Read(chunk)) > 0;)
        {
            if (buffer.Length + n > maxBytes) throw TooLarge(path, maxBytes, what);
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static FileRefusedException TooLarge(string path, long maxBytes, string what) =>
        new(path, $"larger than {maxBytes} bytes, the limit for {what}");

    private static bool IsShellPipe(string path)
    {
        var full = Path.GetFullPath(path);
        return full.StartsWith("/dev/fd/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal)
            || full == "/dev/stdin";
    }
}
