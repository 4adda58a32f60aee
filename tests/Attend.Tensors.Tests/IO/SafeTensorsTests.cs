using System.Buffers.Binary;
using System.Text;
using Attend.Tensors.IO;

namespace Attend.Tensors.Tests.IO;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("attend-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Temp(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Round_trip_is_bit_exact_for_every_float_pattern_and_int64()
    {
        // Special values whose bits a careless writer would change: -0, NaN payloads, subnormals, infinities.
        uint[] bits = [0x00000000, 0x80000000, 0x7FC00001, 0xFFC12345, 0x7F800001, 0x00000001, 0x807FFFFF, 0x7F800000, 0xFF800000, 0x3F800000];
        var special = bits.Select(BitConverter.UInt32BitsToSingle).ToArray();
        var rng = new Random(7);
        var random = Enumerable.Range(0, 3 * 5 * 7).Select(_ => BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32))).ToArray();
        long[] ids = [long.MinValue, -1, 0, 1, long.MaxValue, 0x0102030405060708];
        var scalar = Tensor.Scalar(-2.5f);
        var meta = new Dictionary<string, string> { ["case"] = "rt", ["quote\"s"] = "ünï\ncode +<>&" };

        var path = Temp("rt.safetensors");
        SafeTensorsFile.Write(path,
        [
            SafeTensorsEntry.Float("special", special, 2, 5),
            SafeTensorsEntry.Int64("ids", ids, 6),
            SafeTensorsEntry.Float("random.a+b", random, 3, 5, 7),
            SafeTensorsEntry.From("scalar", scalar),
            SafeTensorsEntry.Float("empty", [], 0, 4),
        ], meta);

        var f = SafeTensorsFile.Read(path);
        Assert.Equal(["ids", "special", "random.a+b", "scalar", "empty"], f.Names);
        Assert.Equal(meta, f.Metadata);
        var (s, sShape) = f.GetFloat("special");
        Assert.Equal([2, 5], sShape);
        Assert.Equal(bits, s.Select(BitConverter.SingleToUInt32Bits));
        var (r, rShape) = f.GetFloat("random.a+b");
        Assert.Equal([3, 5, 7], rShape);
        Assert.Equal(random.Select(BitConverter.SingleToUInt32Bits), r.Select(BitConverter.SingleToUInt32Bits));
        var (i64, iShape) = f.GetInt64("ids");
        Assert.Equal(ids, i64);
        Assert.Equal([6], iShape);
        var t = f.GetTensor("scalar");
        Assert.Empty(t.Shape);
        Assert.Equal(-2.5f, t.Item());
        var (e, eShape) = f.GetFloat("empty");
        Assert.Empty(e);
        Assert.Equal([0, 4], eShape);
        Assert.Equal(0, (new FileInfo(path).Length - 8 - f.Info("ids").End) % 8);
        Assert.Equal(0, f.Info("special").Begin % 8); // I64 first, so the F32 data starts aligned
    }

    [Theory]
    [InlineData("gru_cell.safetensors")]
    [InlineData("lstm.safetensors")]
    [InlineData("bigru_packed.safetensors")]
    [InlineData("attention_bahdanau.safetensors")]
    [InlineData("attention_luong_dot.safetensors")]
    [InlineData("attention_luong_general.safetensors")]
    [InlineData("attention_luong_concat.safetensors")]
    [InlineData("seq2seq_bahdanau.safetensors")]
    [InlineData("seq2seq_luong_general.safetensors")]
    public void Golden_files_load_and_rewrite_to_identical_bytes(string file)
    {
        var f = Golden.Load(file);
        Assert.NotEmpty(f.Names);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), f.Metadata["case"]);
        var entries = new List<SafeTensorsEntry>();
        foreach (var name in f.Names)
        {
            var info = f.Info(name);
            if (info.DType == SafeDType.F32)
            {
                var (d, shape) = f.GetFloat(name);
                Assert.All(d, v => Assert.True(float.IsFinite(v), $"{name} has a non-finite value"));
                entries.Add(SafeTensorsEntry.Float(name, d, shape));
            }
            else
            {
                var (d, shape) = f.GetInt64(name);
                entries.Add(SafeTensorsEntry.Int64(name, d, shape));
            }
        }
        var copy = Temp(file);
        SafeTensorsFile.Write(copy, entries, f.Metadata);
        Assert.Equal(File.ReadAllBytes(Golden.PathOf(file)), File.ReadAllBytes(copy));
    }

    [Fact]
    public void Golden_values_are_read_in_row_major_order()
    {
        var f = Golden.Load("seq2seq_bahdanau.safetensors");
        var (src, shape) = f.GetInt64("input.src");
        Assert.Equal([3, 5], shape);
        Assert.Equal([5L, 9, 7, 6, 10, 8, 6, 5, 0, 0, 10, 4, 5, 10, 0], src);
        var (loss, lshape) = f.GetFloat("output.loss");
        Assert.Empty(lshape);
        Assert.Single(loss);
        Assert.Throws<InvalidDataException>(() => f.GetFloat("input.src"));
        var missing = Assert.Throws<KeyNotFoundException>(() => f.GetFloat("nope"));
        Assert.Contains("nope", missing.Message);
    }

    [Fact]
    public void Write_replaces_the_old_file_atomically_and_leaves_no_temporary_file()
    {
        var path = Temp("ckpt.safetensors");
        SafeTensorsFile.Write(path, [SafeTensorsEntry.Float("w", [1f, 2f], 2)]);
        SafeTensorsFile.Write(path, [SafeTensorsEntry.Float("w", [3f, 4f, 5f], 3)]);
        Assert.Equal([3f, 4f, 5f], SafeTensorsFile.Read(path).GetFloat("w").Data);

        // A failing write (duplicate name) must leave the previous checkpoint untouched.
        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(path,
            [SafeTensorsEntry.Float("w", [9f], 1), SafeTensorsEntry.Float("w", [9f], 1)]));
        Assert.Equal([3f, 4f, 5f], SafeTensorsFile.Read(path).GetFloat("w").Data);
        Assert.Equal(["ckpt.safetensors"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Entries_whose_values_do_not_fill_the_shape_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SafeTensorsEntry.Float("w", [1f, 2f, 3f], 2, 2));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("[2, 2]", e.Message);
    }

    /// <summary>Writes a file from a raw header and data section (optionally with a lying header length).</summary>
    private string Raw(string name, string json, byte[] data, ulong? headerLength = null, int truncateTo = -1)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        var path = Temp(name);
        File.WriteAllBytes(path, truncateTo >= 0 ? bytes[..truncateTo] : bytes);
        return path;
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    public static TheoryData<string, string, int, string> Corruptions => new()
    {
        // case, header JSON, data bytes, expected words in the message
        { "bad-json", "{\"a\": {\"dtype\": ", 8, "not valid JSON" },
        { "not-object", "[1,2]", 8, "must be a JSON object" },
        { "unknown-dtype", "{" + Entry("a", "F16", "[2]", 0, 4) + "}", 4, "dtype 'F16' is not supported" },
        { "shape-bytes", "{" + Entry("a", "F32", "[3]", 0, 8) + "}", 8, "needs 12 bytes" },
        { "out-of-range", "{" + Entry("a", "F32", "[4]", 0, 16) + "}", 8, "run past the data section" },
        { "overlap", "{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 4, 12) + "}", 12, "overlap" },
        { "gap", "{" + Entry("a", "F32", "[1]", 4, 8) + "}", 8, "unused bytes before tensor 'a'" },
        { "trailing", "{" + Entry("a", "F32", "[1]", 0, 4) + "}", 8, "data section has 8 bytes but the tensors cover 4" },
        { "reversed", "{" + Entry("a", "F32", "[1]", 4, 0) + "}", 4, "end before they begin" },
        { "huge-shape", "{" + Entry("a", "F32", "[2147483647,2147483647,2147483647]", 0, 4) + "}", 4, "more elements than an array can hold" },
        { "negative-dim", "{" + Entry("a", "F32", "[-1]", 0, 0) + "}", 0, "not a non-negative 32-bit integer" },
        { "no-dtype", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "missing string field 'dtype'" },
        { "no-offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "data_offsets" },
        { "bad-metadata", "{\"__metadata__\":{\"k\":3}," + Entry("a", "F32", "[1]", 0, 4) + "}", 4, "__metadata__.k must be a string" },
        { "duplicate", "{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("a", "F32", "[1]", 4, 8) + "}", 8, "names 'a' twice" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Corrupted_headers_fail_with_the_path_and_the_fault(string name, string json, int dataBytes, string expected)
    {
        var path = Raw(name + ".safetensors", json, new byte[dataBytes]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Truncated_files_fail_with_the_path_and_the_fault()
    {
        string json = "{" + Entry("a", "F32", "[2]", 0, 8) + "}";
        var tooShort = Raw("short.safetensors", json, new byte[8], truncateTo: 5);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(tooShort)).Message);

        var cutHeader = Raw("cut-header.safetensors", json, new byte[8], truncateTo: 20);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(cutHeader));
        Assert.Contains(cutHeader, e.Message);
        Assert.Contains("runs past the end of the file", e.Message);

        var cutData = Raw("cut-data.safetensors", json, new byte[8], truncateTo: 8 + json.Length + 6);
        e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(cutData));
        Assert.Contains("'a'", e.Message);
        Assert.Contains("truncated", e.Message);

        var huge = Raw("huge.safetensors", json, new byte[8], headerLength: ulong.MaxValue);
        Assert.Contains("runs past the end", Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(huge)).Message);
    }
}
