using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Attend.Tensors.IO;

/// <summary>Element types Attend reads and writes in safetensors files.</summary>
public enum SafeDType
{
    /// <summary>32-bit IEEE float, little-endian (<c>"F32"</c> in the header).</summary>
    F32,
    /// <summary>64-bit signed integer, little-endian (<c>"I64"</c> in the header).</summary>
    I64,
    /// <summary>8-bit signed integer (<c>"I8"</c>): int8 weights of a quantized checkpoint.</summary>
    I8,
    /// <summary>bfloat16, the upper 16 bits of an IEEE float, little-endian (<c>"BF16"</c>): bf16 weights of a quantized checkpoint.</summary>
    BF16,
}

/// <summary>One tensor's header entry: its type, shape and byte range within the data section.</summary>
public sealed record SafeTensorInfo(string Name, SafeDType DType, int[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (1 for a 0-d scalar).</summary>
    public long Count => ShapeCount(Shape);

    /// <summary>The element count, saturating at long.MaxValue so a corrupted shape cannot wrap around.</summary>
    internal static long ShapeCount(int[] shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d != 0 && n > long.MaxValue / d) return long.MaxValue;
            n *= d;
        }
        return n;
    }
}

/// <summary>
/// A safetensors file held in memory: 8-byte little-endian header length N, N bytes of JSON
/// (name → dtype, shape, data_offsets; plus an optional <c>__metadata__</c> string map), then the raw
/// little-endian data. Everything is validated on <see cref="Read"/>, so a truncated or corrupted file
/// fails there with the path and the fault, not later with a wrong number.
/// </summary>
public sealed partial class SafeTensorsFile
{
    internal const string MetadataKey = "__metadata__";

    // A header bigger than this is a corrupted length, not a real header (the format's own limit is 100 MB).
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly byte[] _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorInfo> _byName;

    /// <summary>The file this was read from (used in every error message).</summary>
    public string Path { get; }

    /// <summary>Tensor names in header order (without <c>__metadata__</c>).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The <c>__metadata__</c> map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafeTensorsFile(string path, byte[] bytes, long dataStart, List<SafeTensorInfo> infos, Dictionary<string, string> metadata)
    {
        Path = path;
        _bytes = bytes;
        _dataStart = dataStart;
        _byName = infos.ToDictionary(i => i.Name, StringComparer.Ordinal);
        Names = infos.Select(i => i.Name).ToArray();
        Metadata = metadata;
    }

    /// <summary>Whether the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The header entry of <paramref name="name"/>.</summary>
    public SafeTensorInfo Info(string name) =>
        _byName.TryGetValue(name, out var info) ? info
            : throw new KeyNotFoundException($"{Path}: no tensor named '{name}' (the file has {Names.Count}: {Preview(Names)})");

    /// <summary>An F32 tensor's values (row-major) and shape.</summary>
    public (float[] Data, int[] Shape) GetFloat(string name)
    {
        var info = Require(name, SafeDType.F32);
        var data = new float[info.Count];
        CopyLittleEndian(Bytes(info), MemoryMarshal.AsBytes(data.AsSpan()), sizeof(float));
        return (data, (int[])info.Shape.Clone());
    }

    /// <summary>An I64 tensor's values (row-major) and shape.</summary>
    public (long[] Data, int[] Shape) GetInt64(string name)
    {
        var info = Require(name, SafeDType.I64);
        var data = new long[info.Count];
        CopyLittleEndian(Bytes(info), MemoryMarshal.AsBytes(data.AsSpan()), sizeof(long));
        return (data, (int[])info.Shape.Clone());
    }

    /// <summary>An I8 tensor's values (row-major) and shape.</summary>
    public (sbyte[] Data, int[] Shape) GetInt8(string name)
    {
        var info = Require(name, SafeDType.I8);
        var data = new sbyte[info.Count];
        Bytes(info).CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
        return (data, (int[])info.Shape.Clone());
    }

    /// <summary>A BF16 tensor's bits (row-major) and shape.</summary>
    public (ushort[] Data, int[] Shape) GetBf16(string name)
    {
        var info = Require(name, SafeDType.BF16);
        var data = new ushort[info.Count];
        CopyLittleEndian(Bytes(info), MemoryMarshal.AsBytes(data.AsSpan()), sizeof(ushort));
        return (data, (int[])info.Shape.Clone());
    }

    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    internal static int SizeOf(SafeDType dtype) => dtype switch
    {
        SafeDType.F32 => 4,
        SafeDType.I64 => 8,
        SafeDType.I8 => 1,
        _ => 2,
    };

    /// <summary>An F32 tensor as a <see cref="Tensor"/> (pooled if a <see cref="TensorScope"/> is active).</summary>
    public Tensor GetTensor(string name)
    {
        var (data, shape) = GetFloat(name);
        var t = Tensor.FromArray(data, shape);
        t.Name = name;
        return t;
    }

    private SafeTensorInfo Require(string name, SafeDType dtype)
    {
        var info = Info(name);
        if (info.DType != dtype)
            throw new InvalidDataException($"{Path}: tensor '{name}' is {info.DType}, not {dtype}");
        return info;
    }

    private ReadOnlySpan<byte> Bytes(SafeTensorInfo info) =>
        _bytes.AsSpan((int)(_dataStart + info.Begin), (int)(info.End - info.Begin));

    /// <summary>Copies little-endian elements of <paramref name="size"/> bytes, swapping on a big-endian host.</summary>
    internal static void CopyLittleEndian(ReadOnlySpan<byte> source, Span<byte> destination, int size)
    {
        source.CopyTo(destination);
        if (BitConverter.IsLittleEndian) return;
        for (int i = 0; i < destination.Length; i += size) destination.Slice(i, size).Reverse();
    }

    private static string Preview(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(8)) + (names.Count > 8 ? ", ..." : "");

    /// <summary>Reads and validates a whole safetensors file.</summary>
    /// <exception cref="InvalidDataException">The file is truncated or its header is malformed; the message names the path and the fault.</exception>
    public static SafeTensorsFile Read(string path)
    {
        InputFile.Check(path);
        var fileLength = new FileInfo(path).Length; // throws FileNotFoundException naming the path
        if (fileLength > Array.MaxLength)
            throw new InvalidDataException($"{path}: {fileLength} bytes is larger than Attend reads into memory ({Array.MaxLength})");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
            throw new InvalidDataException($"{path}: {bytes.Length} bytes is too short for a safetensors file (the 8-byte header length is missing)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new InvalidDataException($"{path}: header length {headerLength} runs past the end of the file ({bytes.Length} bytes; truncated or not a safetensors file)");
        if ((long)headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"{path}: header length {headerLength} is larger than {MaxHeaderBytes} bytes");
        long dataStart = 8 + (long)headerLength;
        var (infos, metadata) = ParseHeader(path, bytes.AsSpan(8, (int)headerLength));
        ValidateLayout(path, infos, bytes.Length - dataStart);
        return new SafeTensorsFile(path, bytes, dataStart, infos, metadata);
    }

    private static (List<SafeTensorInfo>, Dictionary<string, string>) ParseHeader(string path, ReadOnlySpan<byte> header)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: header is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: header must be a JSON object, found {doc.RootElement.ValueKind}");
            var infos = new List<SafeTensorInfo>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name))
                    throw new InvalidDataException($"{path}: header names '{prop.Name}' twice");
                if (prop.Name == MetadataKey) ReadMetadata(path, prop.Value, metadata);
                else infos.Add(ReadEntry(path, prop.Name, prop.Value));
            }
            return (infos, metadata);
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: {MetadataKey} must be an object of strings, found {value.ValueKind}");
        foreach (var kv in value.EnumerateObject())
        {
            if (kv.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{path}: {MetadataKey}.{kv.Name} must be a string, found {kv.Value.ValueKind}");
            metadata[kv.Name] = kv.Value.GetString()!;
        }
    }

    private static SafeTensorInfo ReadEntry(string path, string name, JsonElement e)
    {
        string where = $"{path}: tensor '{name}'";
        if (e.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{where}: entry must be an object, found {e.ValueKind}");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{where}: missing string field 'dtype'");
        var dtype = dt.GetString() switch
        {
            "F32" => SafeDType.F32,
            "I64" => SafeDType.I64,
            "I8" => SafeDType.I8,
            "BF16" => SafeDType.BF16,
            var other => throw new InvalidDataException($"{where}: dtype '{other}' is not supported (Attend reads F32, I64, I8 and BF16)"),
        };
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where}: missing array field 'shape'");
        var shape = new int[sh.GetArrayLength()];
        int k = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v < 0)
                throw new InvalidDataException($"{where}: shape entry {d} is not a non-negative 32-bit integer");
            shape[k++] = v;
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new InvalidDataException($"{where}: missing field 'data_offsets' = [begin, end]");
        long begin = ReadOffset(where, off[0]), end = ReadOffset(where, off[1]);
        if (end < begin)
            throw new InvalidDataException($"{where}: data_offsets [{begin}, {end}] end before they begin");
        long count = SafeTensorInfo.ShapeCount(shape);
        if (count > Array.MaxLength)
            throw new InvalidDataException($"{where}: shape {ShapeOf.Format(shape)} has more elements than an array can hold");
        long expected = count * SizeOf(dtype);
        if (expected != end - begin)
            throw new InvalidDataException($"{where}: shape {ShapeOf.Format(shape)} of {dtype} needs {expected} bytes but data_offsets [{begin}, {end}] hold {end - begin}");
        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    private static long ReadOffset(string where, JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x) || x < 0)
            throw new InvalidDataException($"{where}: data offset {v} is not a non-negative integer");
        return x;
    }

    /// <summary>The tensors must tile the data section exactly: in range, no overlap, no gap, nothing after.</summary>
    private static void ValidateLayout(string path, List<SafeTensorInfo> infos, long dataLength)
    {
        var sorted = infos.Where(i => i.End > i.Begin).OrderBy(i => i.Begin).ToList();
        long at = 0;
        foreach (var info in sorted)
        {
            if (info.End > dataLength)
                throw new InvalidDataException($"{path}: tensor '{info.Name}' data_offsets [{info.Begin}, {info.End}] run past the data section ({dataLength} bytes; file truncated?)");
            if (info.Begin < at)
                throw new InvalidDataException($"{path}: tensor '{info.Name}' data_offsets [{info.Begin}, {info.End}] overlap the previous tensor (which ends at {at})");
            if (info.Begin > at)
                throw new InvalidDataException($"{path}: {info.Begin - at} unused bytes before tensor '{info.Name}' (data_offsets must leave no gap)");
            at = info.End;
        }
        foreach (var info in infos.Where(i => i.End == i.Begin))
            if (info.Begin > dataLength)
                throw new InvalidDataException($"{path}: empty tensor '{info.Name}' has offset {info.Begin} past the data section ({dataLength} bytes)");
        if (at != dataLength)
            throw new InvalidDataException($"{path}: data section has {dataLength} bytes but the tensors cover {at}");
    }
}
