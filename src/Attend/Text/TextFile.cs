using System.Text;
using Attend.Tensors.IO;

namespace Attend.Text;

/// <summary>
/// One line of a text file: its text without the line break, and its 1-based number. A reader told to pass
/// invalid UTF-8 on (<see cref="TextFile.ReadLines(string, bool)"/>) marks such a line with
/// <paramref name="IsValidUtf8"/> false and an empty text.
/// </summary>
internal readonly record struct TextLine(string Text, long Number, bool IsValidUtf8 = true);

/// <summary>
/// Streams the lines of a UTF-8 text file, plain or gzip (recognised by its magic bytes, not its name; a truncated
/// gzip file is an error, see <see cref="GzipLengthCheckStream"/>), one buffer at a time. This is the one line
/// reader of every line-aligned verb, so line i of an output always belongs to line i of the input:
/// <list type="bullet">
/// <item>only LF ends a line; a CR before the LF (a CRLF ending) is dropped, and so is a BOM at the start;</item>
/// <item>a CR anywhere else in a line becomes a space (it is whitespace inside the line, never a line break);</item>
/// <item>a NUL byte is an error naming the line (the input is binary, not text);</item>
/// <item>invalid UTF-8 is an error naming the line and the byte (no replacement characters).</item>
/// </list>
/// Every failure becomes a <see cref="TextDataException"/> naming the path and the reason.
/// </summary>
internal static class TextFile
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Opens a file for reading, transparently decompressing gzip.</summary>
    public static Stream OpenRead(string path)
    {
        InputFile.Check(path);
        FileStream file;
        try { file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (FileNotFoundException) { throw new TextDataException("file not found", path); }
        catch (DirectoryNotFoundException) { throw new TextDataException("directory not found", path); }
        catch (UnauthorizedAccessException e) { throw new TextDataException($"cannot open ({e.Message})", path); }
        catch (IOException e) { throw new TextDataException($"cannot open ({e.Message})", path); }
        // A pipe (e.g. bash's <(zcat ...)) cannot rewind after peeking: trust the name, without the trailer check.
        if (!file.CanSeek)
            return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : file;
        Span<byte> magic = stackalloc byte[2];
        int n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        if (n < 2 || magic[0] != 0x1F || magic[1] != 0x8B) return file;
        try { return GzipLengthCheckStream.Open(file); }
        catch (InvalidDataException e) { file.Dispose(); throw new TextDataException($"unreadable gzip data ({e.Message})", path); }
    }

    /// <summary>Streams the lines of a file. A final line break does not produce an extra empty line.</summary>
    public static IEnumerable<TextLine> ReadLines(string path) => ReadLines(path, passInvalid: false);

    /// <summary>
    /// Streams the lines of a file; with <paramref name="passInvalid"/> a line that is not valid UTF-8 comes as an
    /// empty line marked invalid instead of stopping the read with an error (corpus preparation counts and drops it).
    /// </summary>
    public static IEnumerable<TextLine> ReadLines(string path, bool passInvalid)
    {
        foreach (var line in ReadLines(OpenRead(path), path, passInvalid)) yield return line;
    }

    /// <summary>Streams the lines of an open stream (e.g. stdin), which it disposes; <paramref name="name"/> is used
    /// in error messages.</summary>
    public static IEnumerable<TextLine> ReadLines(Stream stream, string name, bool passInvalid = false)
    {
        using var _ = stream;
        byte[] buffer = new byte[1 << 16];
        int start = 0, end = 0;
        long number = 0;
        bool eof = false;
        while (true)
        {
            int nl = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (nl < 0 && !eof)
            {
                // Move the partial line to the front (growing the buffer for very long lines) and read more.
                if (start > 0) { Buffer.BlockCopy(buffer, start, buffer, 0, end - start); end -= start; start = 0; }
                if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                int read = Fill(stream, buffer, end, name);
                if (read == 0) eof = true;
                end += read;
                continue;
            }
            if (nl < 0 && start == end) yield break;
            int lineEnd = nl < 0 ? end : nl;
            number++;
            string? text = Decode(buffer, start, lineEnd, name, number, passInvalid);
            yield return text is null ? new TextLine("", number, IsValidUtf8: false) : new TextLine(text, number);
            start = nl < 0 ? end : nl + 1;
        }
    }

    private static int Fill(Stream stream, byte[] buffer, int offset, string path)
    {
        try { return stream.Read(buffer, offset, buffer.Length - offset); }
        catch (InvalidDataException e) { throw new TextDataException($"unreadable gzip data ({e.Message})", path, inner: e); }
        catch (IOException e) { throw new TextDataException($"read error ({e.Message})", path, inner: e); }
    }

    private static string? Decode(byte[] buffer, int start, int end, string path, long number, bool passInvalid)
    {
        if (end > start && buffer[end - 1] == '\r') end--;
        if (number == 1 && end - start >= 3 && buffer[start] == 0xEF && buffer[start + 1] == 0xBB && buffer[start + 2] == 0xBF) start += 3;
        int nul = Array.IndexOf(buffer, (byte)0, start, end - start);
        if (nul >= 0) throw new TextDataException($"NUL byte at byte {nul - start + 1} of the line (binary data, not text)", path, number);
        // Bytes below 0x80 are whole characters in UTF-8, so this never touches a multi-byte sequence.
        for (int cr = Array.IndexOf(buffer, (byte)'\r', start, end - start); cr >= 0; cr = Array.IndexOf(buffer, (byte)'\r', cr + 1, end - cr - 1))
            buffer[cr] = (byte)' ';
        try { return Strict.GetString(buffer, start, end - start); }
        catch (DecoderFallbackException e)
        {
            if (passInvalid) return null;
            string where = e.Index >= 0 ? $" at byte {e.Index + 1} of the line" : "";
            throw new TextDataException($"invalid UTF-8{where}", path, number);
        }
    }
}
