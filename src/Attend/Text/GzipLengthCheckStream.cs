using System.Buffers.Binary;
using System.IO.Compression;

namespace Attend.Text;

/// <summary>
/// Decompresses gzip and, at the end, compares the number of bytes produced with the length recorded in the
/// file's trailer (ISIZE, the last 4 bytes, modulo 2^32). Why: <see cref="GZipStream"/> ends quietly on a truncated
/// file, which would silently drop the last lines of a corpus. A file made of several gzip members records only
/// the last member's length, so such a file is reported too (recompress it as one member).
/// </summary>
internal sealed class GzipLengthCheckStream : Stream
{
    private readonly GZipStream _inner;
    private readonly uint _expected;
    private long _produced;

    private GzipLengthCheckStream(FileStream file, uint expected)
    {
        _inner = new GZipStream(file, CompressionMode.Decompress);
        _expected = expected;
    }

    public static Stream Open(FileStream file)
    {
        if (file.Length < 18) throw new InvalidDataException($"{file.Length} bytes is too short for a gzip file");
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        file.Position = 0;
        return new GzipLengthCheckStream(file, BinaryPrimitives.ReadUInt32LittleEndian(trailer));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = _inner.Read(buffer);
        _produced += n;
        if (n == 0 && buffer.Length > 0 && (uint)_produced != _expected)
            throw new InvalidDataException(
                $"truncated or corrupt: decompressed {_produced} bytes but the gzip trailer records {_expected} (mod 2^32)");
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _produced; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
