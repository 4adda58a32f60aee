using System.Buffers.Binary;
using System.IO.Hashing;

namespace Attend.Corpus;

/// <summary>
/// Writes one shard (<see cref="ShardFile"/>) pair by pair: ids go straight to a temporary file beside the
/// target, the lengths (4 bytes a pair) wait in memory, and <see cref="Complete"/> appends them, writes the
/// header with the checksum and renames the file into place. A writer disposed without completing deletes its
/// temporary file, so a shard under its final name is always whole.
/// </summary>
internal sealed class ShardWriter : IDisposable
{
    private readonly string _path, _temp;
    private readonly int _idBytes;
    private readonly FileStream _file;
    private readonly XxHash3 _hash = new();
    private readonly List<uint> _lengths = [];
    private byte[] _buffer = new byte[1 << 16];
    private long _sourceTokens, _targetTokens;
    private bool _done;

    public ShardWriter(string path, int idBytes)
    {
        if (idBytes is not (2 or 4)) throw new ArgumentOutOfRangeException(nameof(idBytes), "2 or 4");
        (_path, _idBytes) = (path, idBytes);
        _temp = path + ".tmp";
        _file = new FileStream(_temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        _file.Write(new byte[ShardFile.HeaderBytes]);
    }

    public long Pairs => _lengths.Count;
    public long Tokens => _sourceTokens + _targetTokens;

    /// <summary>Appends one pair's ids (no BOS/EOS); each id must fit the shard's id width.</summary>
    public void Append(ReadOnlySpan<int> source, ReadOnlySpan<int> target)
    {
        if (source.Length > ShardFile.MaxLength || target.Length > ShardFile.MaxLength)
            throw new ArgumentException($"a sentence of {Math.Max(source.Length, target.Length)} tokens is longer than a shard holds ({ShardFile.MaxLength})");
        WriteIds(source);
        WriteIds(target);
        _lengths.Add((uint)source.Length | ((uint)target.Length << 16));
        _sourceTokens += source.Length;
        _targetTokens += target.Length;
    }

    private void WriteIds(ReadOnlySpan<int> ids)
    {
        int bytes = ids.Length * _idBytes;
        if (_buffer.Length < bytes) _buffer = new byte[bytes];
        var dest = _buffer.AsSpan(0, bytes);
        if (_idBytes == 2)
            for (int i = 0; i < ids.Length; i++)
            {
                if ((uint)ids[i] > ushort.MaxValue) throw new ArgumentException($"id {ids[i]} does not fit a 16-bit shard");
                BinaryPrimitives.WriteUInt16LittleEndian(dest[(2 * i)..], (ushort)ids[i]);
            }
        else
            for (int i = 0; i < ids.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(dest[(4 * i)..], ids[i]);
        _file.Write(dest);
        _hash.Append(dest);
    }

    /// <summary>Finishes the shard and renames it into place; returns its header.</summary>
    public ShardFile.Header Complete()
    {
        var lengths = new byte[4 * _lengths.Count];
        for (int i = 0; i < _lengths.Count; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(lengths.AsSpan(4 * i), (ushort)_lengths[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(lengths.AsSpan(4 * i + 2), (ushort)(_lengths[i] >> 16));
        }
        _file.Write(lengths);
        _hash.Append(lengths);
        var header = new ShardFile.Header(_idBytes, _lengths.Count, _sourceTokens, _targetTokens, _hash.GetCurrentHashAsUInt64());
        Span<byte> head = stackalloc byte[ShardFile.HeaderBytes];
        ShardFile.Write(head, header);
        _file.Position = 0;
        _file.Write(head);
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        File.Move(_temp, _path, overwrite: true);
        _done = true;
        return header;
    }

    public void Dispose()
    {
        if (_done) return;
        _file.Dispose();
        try { File.Delete(_temp); } catch (IOException) { }
        _done = true;
    }
}
