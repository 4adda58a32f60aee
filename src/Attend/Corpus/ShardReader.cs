using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;

namespace Attend.Corpus;

/// <summary>
/// One shard of a prepared corpus, memory-mapped: any pair by index without reading the others. Opening checks
/// the header against the file's length, and (unless told not to) the checksum of the whole shard, so a
/// damaged or truncated shard is an error naming the file before a single batch is built from it. What stays
/// in memory is the offset of each pair (8 bytes a pair); the ids stay in the page cache.
/// </summary>
internal sealed unsafe class ShardReader : IPairShard
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly long[] _offsets; // [N + 1] index of each pair's first id (source ids, then target ids)
    private readonly int _idBytes;
    private bool _disposed;

    public string Path { get; }
    public ShardFile.Header Header { get; }
    public int Count { get; }

    private ShardReader(string path, bool verify)
    {
        Path = path;
        long fileBytes = new FileInfo(path).Length;
        if (fileBytes < ShardFile.HeaderBytes) throw new InvalidDataException($"{path}: {fileBytes} bytes, too short for a shard: prepare the corpus again");
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + _view.PointerOffset;
        try
        {
            Header = ShardFile.Read(new ReadOnlySpan<byte>(_base, ShardFile.HeaderBytes), fileBytes, path);
            if (Header.Pairs > int.MaxValue) throw new InvalidDataException($"{path}: {Header.Pairs} pairs, more than a shard may hold");
            Count = (int)Header.Pairs;
            _idBytes = Header.IdBytes;
            if (verify) Verify();
            _offsets = new long[Count + 1];
            for (int i = 0; i < Count; i++) _offsets[i + 1] = _offsets[i] + SourceLength(i) + TargetLength(i);
            if (_offsets[Count] != Header.SourceTokens + Header.TargetTokens)
                throw new InvalidDataException($"{path}: its lengths add up to {_offsets[Count]} tokens, its header says {Header.SourceTokens + Header.TargetTokens}: the shard is damaged");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Opens a shard; <paramref name="verify"/> checks its XXH3 checksum (one pass over the file).</summary>
    public static ShardReader Open(string path, bool verify = true)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: shard not found", path);
        return new ShardReader(path, verify);
    }

    private void Verify()
    {
        var hash = new XxHash3();
        long left = Header.FileBytes - ShardFile.HeaderBytes;
        byte* at = _base + ShardFile.HeaderBytes;
        while (left > 0)
        {
            int n = (int)Math.Min(left, 1 << 30);
            hash.Append(new ReadOnlySpan<byte>(at, n));
            at += n;
            left -= n;
        }
        if (hash.GetCurrentHashAsUInt64() != Header.Checksum)
            throw new InvalidDataException($"{Path}: checksum mismatch, the shard is damaged; prepare the corpus again");
    }

    private ReadOnlySpan<byte> LengthPair(int i) => new(_base + Header.LengthsOffset + 4L * i, 4);

    public int SourceLength(int i) => BinaryPrimitives.ReadUInt16LittleEndian(LengthPair(i));
    public int TargetLength(int i) => BinaryPrimitives.ReadUInt16LittleEndian(LengthPair(i)[2..]);

    /// <summary>The ids of pair <paramref name="i"/> (no BOS/EOS), copied out of the mapping.</summary>
    public (int[] Source, int[] Target) Pair(int i)
    {
        if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(i), $"pair {i} of a shard of {Count}");
        int s = SourceLength(i), t = TargetLength(i);
        var src = new int[s];
        var trg = new int[t];
        Read(_offsets[i], src);
        Read(_offsets[i] + s, trg);
        return (src, trg);
    }

    private void Read(long first, Span<int> dest)
    {
        byte* at = _base + ShardFile.HeaderBytes + first * _idBytes;
        if (_idBytes == 2)
        {
            var ids = new ReadOnlySpan<byte>(at, 2 * dest.Length);
            for (int k = 0; k < dest.Length; k++) dest[k] = BinaryPrimitives.ReadUInt16LittleEndian(ids[(2 * k)..]);
        }
        else
        {
            var ids = new ReadOnlySpan<byte>(at, 4 * dest.Length);
            for (int k = 0; k < dest.Length; k++) dest[k] = BinaryPrimitives.ReadInt32LittleEndian(ids[(4 * k)..]);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }
}
