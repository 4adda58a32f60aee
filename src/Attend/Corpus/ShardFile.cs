using System.Buffers.Binary;

namespace Attend.Corpus;

/// <summary>
/// The binary layout of one shard of a prepared corpus: the token ids of a run of sentence pairs.
/// <code>
/// header (64 bytes, little-endian)
///   0  "ATTSHRD1"                 magic, 8 bytes
///   8  int32  version (1)
///  12  int32  bytes per id (2 or 4)
///  16  int64  pairs (N)
///  24  int64  source tokens in all pairs
///  32  int64  target tokens in all pairs
///  40  uint64 XXH3-64 of everything after the header
///  48  16 bytes zero
/// ids     for each pair: its source ids, then its target ids (no BOS/EOS), each id 2 or 4 bytes
/// lengths for each pair: uint16 source length, uint16 target length (4·N bytes)
/// </code>
/// The ids come first so a writer can stream them without knowing N; the lengths, held in memory while a
/// shard is written (4 bytes a pair), follow them. A reader knows every offset from the header alone, so a
/// truncated or extended file is recognised before anything is read, and the checksum catches a damaged one.
/// </summary>
internal static class ShardFile
{
    public const int HeaderBytes = 64, Version = 1;

    /// <summary>The longest sentence a shard can hold (lengths are 16-bit).</summary>
    public const int MaxLength = ushort.MaxValue;

    public static ReadOnlySpan<byte> Magic => "ATTSHRD1"u8;

    /// <summary>What a shard's header says.</summary>
    public readonly record struct Header(int IdBytes, long Pairs, long SourceTokens, long TargetTokens, ulong Checksum)
    {
        /// <summary>The file's length implied by the counts.</summary>
        public long FileBytes => HeaderBytes + IdBytes * (SourceTokens + TargetTokens) + 4 * Pairs;

        /// <summary>Where the lengths start.</summary>
        public long LengthsOffset => HeaderBytes + IdBytes * (SourceTokens + TargetTokens);
    }

    public static void Write(Span<byte> dest, Header h)
    {
        dest[..HeaderBytes].Clear();
        Magic.CopyTo(dest);
        BinaryPrimitives.WriteInt32LittleEndian(dest[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(dest[12..], h.IdBytes);
        BinaryPrimitives.WriteInt64LittleEndian(dest[16..], h.Pairs);
        BinaryPrimitives.WriteInt64LittleEndian(dest[24..], h.SourceTokens);
        BinaryPrimitives.WriteInt64LittleEndian(dest[32..], h.TargetTokens);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[40..], h.Checksum);
    }

    /// <summary>Reads and checks a header; <paramref name="fileBytes"/> is the file's real length.</summary>
    public static Header Read(ReadOnlySpan<byte> src, long fileBytes, string path)
    {
        if (fileBytes < HeaderBytes || !src[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a shard of a prepared corpus (no ATTSHRD1 header)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(src[8..]);
        if (version != Version) throw new InvalidDataException($"{path}: shard format version {version}, this Attend reads version {Version}");
        var h = new Header(BinaryPrimitives.ReadInt32LittleEndian(src[12..]), BinaryPrimitives.ReadInt64LittleEndian(src[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(src[24..]), BinaryPrimitives.ReadInt64LittleEndian(src[32..]),
            BinaryPrimitives.ReadUInt64LittleEndian(src[40..]));
        if (h.IdBytes is not (2 or 4) || h.Pairs < 0 || h.SourceTokens < 0 || h.TargetTokens < 0)
            throw new InvalidDataException($"{path}: damaged shard header");
        if (h.FileBytes != fileBytes)
            throw new InvalidDataException($"{path}: {fileBytes} bytes, but its header says {h.FileBytes} ({h.Pairs} pairs): the shard is truncated or damaged; prepare the corpus again");
        return h;
    }
}
