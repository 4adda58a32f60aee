using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Attend.Tensors.IO;

/// <summary>
/// One tensor to write: a name, a dtype, a shape and its values. The values are referenced, not
/// copied, until <see cref="SafeTensorsFile.Write(string, IEnumerable{SafeTensorsEntry}, IReadOnlyDictionary{string, string})"/> streams them out.
/// </summary>
public sealed class SafeTensorsEntry
{
    private readonly float[]? _floats;
    private readonly long[]? _longs;
    private readonly Array? _small; // sbyte[] (I8) or ushort[] (BF16)
    private readonly Tensor? _tensor;

    /// <summary>The tensor's name in the file header.</summary>
    public string Name { get; }
    /// <summary>The element type written.</summary>
    public SafeDType DType { get; }
    /// <summary>The shape written (empty for a 0-d scalar).</summary>
    public int[] Shape { get; }

    private SafeTensorsEntry(string name, SafeDType dtype, int[] shape, long length, float[]? floats, long[]? longs, Tensor? tensor,
        Array? small = null)
    {
        if (string.IsNullOrEmpty(name) || name == SafeTensorsFile.MetadataKey)
            throw new ArgumentException($"safetensors: '{name}' cannot name a tensor");
        foreach (var d in shape)
            if (d < 0) throw new ArgumentException($"safetensors: tensor '{name}' has a negative dimension in {ShapeOf.Format(shape)}");
        if (SafeTensorInfo.ShapeCount(shape) != length)
            throw new ArgumentException($"safetensors: tensor '{name}' has {length} values but shape {ShapeOf.Format(shape)} needs {SafeTensorInfo.ShapeCount(shape)}");
        Name = name;
        DType = dtype;
        Shape = (int[])shape.Clone();
        _floats = floats;
        _longs = longs;
        _tensor = tensor;
        _small = small;
    }

    /// <summary>An F32 tensor from an array (row-major).</summary>
    public static SafeTensorsEntry Float(string name, float[] data, params int[] shape) =>
        new(name, SafeDType.F32, shape, data.Length, data, null, null);

    /// <summary>An I64 tensor from an array (row-major).</summary>
    public static SafeTensorsEntry Int64(string name, long[] data, params int[] shape) =>
        new(name, SafeDType.I64, shape, data.Length, null, data, null);

    /// <summary>An I8 tensor from an array (row-major).</summary>
    public static SafeTensorsEntry Int8(string name, sbyte[] data, params int[] shape) =>
        new(name, SafeDType.I8, shape, data.Length, null, null, null, data);

    /// <summary>A BF16 tensor from its bits (row-major).</summary>
    public static SafeTensorsEntry Bf16(string name, ushort[] data, params int[] shape) =>
        new(name, SafeDType.BF16, shape, data.Length, null, null, null, data);

    /// <summary>An F32 tensor holding a <see cref="Tensor"/>'s values (read when the file is written).</summary>
    public static SafeTensorsEntry From(string name, Tensor t) =>
        new(name, SafeDType.F32, t.Shape, t.Length, null, null, t);

    internal long ByteLength => SafeTensorInfo.ShapeCount(Shape) * SafeTensorsFile.SizeOf(DType);

    internal ReadOnlySpan<byte> Bytes()
    {
        if (_small is sbyte[] i8) return MemoryMarshal.AsBytes(i8.AsSpan());
        if (_small is ushort[] bf16) return MemoryMarshal.AsBytes(bf16.AsSpan());
        if (_longs is not null) return MemoryMarshal.AsBytes(_longs.AsSpan());
        if (_floats is not null) return MemoryMarshal.AsBytes(_floats.AsSpan());
        return MemoryMarshal.AsBytes((ReadOnlySpan<float>)_tensor!.Data);
    }
}

public sealed partial class SafeTensorsFile
{
    /// <summary>Writes tensors (from <see cref="Tensor"/>s) and optional metadata; see the main overload.</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, tensors.Select(t => SafeTensorsEntry.From(t.Name, t.Tensor)), metadata);

    /// <summary>
    /// Writes a safetensors file atomically (<see cref="AtomicFile"/>): the bytes go to a temporary file in the same
    /// directory, are flushed to disk, and only then replace <paramref name="path"/>, so a crash mid-write leaves
    /// the previous file intact (checkpoints rely on this). Tensors are laid out by element size, largest first (I64,
    /// F32, BF16, I8), so every tensor starts aligned to its element; header keys follow the data order,
    /// <c>__metadata__</c> last.
    /// </summary>
    public static void Write(string path, IEnumerable<SafeTensorsEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var all = tensors.ToList();
        var entries = all.OrderByDescending(e => SizeOf(e.DType)).ToList(); // stable: same-size tensors keep their order
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in entries)
            if (!names.Add(e.Name)) throw new ArgumentException($"{path}: tensor name '{e.Name}' given twice");
        var header = BuildHeader(entries, metadata);

        using var file = AtomicFile.Create(path);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        file.Stream.Write(len);
        file.Stream.Write(header);
        foreach (var e in entries) WriteLittleEndian(file.Stream, e.Bytes(), SizeOf(e.DType));
        file.Commit();
    }

    private static byte[] BuildHeader(List<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        // Relaxed escaping keeps names such as "a+b" readable; the output is still valid JSON.
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            long offset = 0;
            foreach (var e in entries)
            {
                w.WriteStartObject(e.Name);
                w.WriteString("dtype", e.DType.ToString());
                w.WriteStartArray("shape");
                foreach (var d in e.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + e.ByteLength);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += e.ByteLength;
            }
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var kv in metadata) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        // Pad with spaces so the data section starts 8-byte aligned.
        int pad = (int)((8 - ms.Length % 8) % 8);
        for (int i = 0; i < pad; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }

    private static void WriteLittleEndian(Stream s, ReadOnlySpan<byte> bytes, int size)
    {
        if (BitConverter.IsLittleEndian)
        {
            s.Write(bytes);
            return;
        }
        var swapped = bytes.ToArray();
        CopyLittleEndian(bytes, swapped, size);
        s.Write(swapped);
    }
}
