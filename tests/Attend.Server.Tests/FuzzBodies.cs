using System.Text;

namespace Attend.Server.Tests;

/// <summary>
/// A deterministic (seeded) generator of hostile POST /api/translate bodies: a fixed catalogue (every field
/// with every wrong type, nasty strings in every string position, deep nesting, duplicate keys, huge numbers,
/// arrays and strings up to the body limit), then byte-level mutations of valid bodies (bytes flipped,
/// inserted, deleted, spliced with invalid UTF-8, overlong encodings, raw and escaped lone surrogates, NUL).
/// </summary>
internal static class FuzzBodies
{
    /// <summary>Valid bodies the mutations start from.</summary>
    private static readonly string[] Seeds =
    [
        """{"text": "3/5/79"}""",
        """{"text": "May 3, 1979", "beam": 3, "nbest": 2}""",
        """{"texts": ["3/5/79", "1 jan 2000"], "beam": 2, "lengthPenalty": 0.6}""",
        """{"text": "12.10.2001", "model": "plain"}""",
        """{"texts": ["7/4/76"], "beam": 1, "nbest": 1, "lengthPenalty": 1, "model": "attn"}""",
        """{"text": "d\u00e9cembre 31 \ud83d\ude00 \u00001999"}""",
    ];

    /// <summary>Byte sequences that are not UTF-8: stray and truncated bytes, overlong forms, encoded surrogates, beyond U+10FFFF.</summary>
    private static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0xFE], [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF],
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xC3], [0xF0, 0x9F, 0x98],
    ];

    /// <summary>Text fragments for inside a JSON string: escapes of lone surrogates, NUL, odd but valid Unicode, broken escapes.</summary>
    private static readonly string[] NastyEscapes =
    [
        @"\uD800", @"\uDC00", @"\uDBFF\uDBFF", @"\uD800x", @"\uDC00\uD800", @"\u0000", @"\uFFFE", @"\uFFFF", @"\uD83D\uDE00",
        @"\u00", @"\x41", @"\", @"\""", @"\\", "\u0000", "\u202E", "\uFDFA", "\uFFED", "\u0301\u0301\u0301", "</s>", "<unk>",
        "\uFEFF", "\t\n", "\u2028", "ǅ", "ﬃ", "\U0001F600",
    ];

    /// <summary>Values of every JSON type, some extreme, for every field.</summary>
    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-1", "1", "2", "2147483647", "2147483648", "-2147483649", "1.5", "1e2", "1E-400",
        "1e400", "-1e400", "-0", "123456789012345678901234567890123456789", "0.0000000000000000000000000001", "NaN",
        "Infinity", "\"\"", "\" \"", "\"x\"", "\"3/5/79\"", "[]", "[\"3/5/79\"]", "[null]", "[1]", "[[]]", "{}",
        "{\"text\": \"3/5/79\"}", "\"\\uD800\"", "\"\\u0000\"", "[\"\\uDFFF\"]", "01", "+1", ".5", "1.", "0x10", "'x'", "tru",
    ];

    private static readonly string[] Fields = ["text", "texts", "beam", "nbest", "lengthPenalty", "model"];

    /// <summary>The catalogue, then random mutations up to <paramref name="count"/> bodies in all; the same seed gives the same bodies.</summary>
    public static IEnumerable<byte[]> Generate(int seed, int count, int maxBytes)
    {
        var catalogue = Catalogue(maxBytes).ToList();
        foreach (var body in catalogue.Take(count)) yield return body;
        var rng = new Random(seed);
        for (int i = catalogue.Count; i < count; i++) yield return Mutate(rng, maxBytes);
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static IEnumerable<byte[]> Catalogue(int maxBytes)
    {
        foreach (var field in Fields)
            foreach (var value in Values)
            {
                yield return Utf8($$"""{"{{field}}": {{value}}}""");
                yield return Utf8($$"""{"text": "3/5/79", "{{field}}": {{value}}}""");
            }
        foreach (var field in Fields)
        {
            yield return Utf8($$"""{"text": "3/5/79", "{{field}}": 1, "{{field}}": 2}""");
            yield return Utf8($$"""{"{{field}}": "a", "{{field}}": "b"}""");
        }
        foreach (var nasty in NastyEscapes)
        {
            yield return Utf8($$"""{"text": "{{nasty}}"}""");
            yield return Utf8($$"""{"text": "3/5{{nasty}}79"}""");
            yield return Utf8($$"""{"texts": ["3/5/79", "{{nasty}}"]}""");
            yield return Utf8($$"""{"text": "3/5/79", "model": "{{nasty}}"}""");
            yield return Utf8($$"""{"{{nasty}}": 1}""");
        }
        foreach (var bad in BadUtf8)
            foreach (var (before, after) in new[] { ("{\"text\": \"", "\"}"), ("{\"text\": \"3/5", "/79\"}"), ("{\"texts\": [\"x\", \"", "\"]}"),
                         ("{\"text\": \"x\", \"model\": \"", "\"}"), ("{\"", "\": 1}"), ("", "{\"text\": \"x\"}"), ("{\"text\": \"x\"}", "") })
                yield return [.. Utf8(before), .. bad, .. Utf8(after)];
        foreach (int depth in new[] { 7, 8, 9, 64, 1000, maxBytes / 2 - 8 })
        {
            yield return Utf8(new string('[', depth) + new string(']', depth));
            yield return Utf8("{\"text\": " + new string('[', depth) + new string(']', depth) + "}");
            yield return Utf8(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));
        }
        int room = maxBytes - 40;
        yield return Utf8($$"""{"text": "{{new string('1', room)}}"}""");
        yield return Utf8($$"""{"text": "{{string.Concat(Enumerable.Repeat(@"\u00e9", room / 6))}}"}""");
        yield return Utf8($$"""{"texts": [{{string.Join(",", Enumerable.Repeat("\"1\"", room / 4))}}]}""");
        yield return Utf8($$"""{"texts": [{{string.Join(",", Enumerable.Repeat("null", room / 5))}}]}""");
        yield return Utf8($$"""{"text": "3/5/79", "beam": {{new string('9', room)}}}""");
        yield return Utf8($$"""{"text": "3/5/79", "lengthPenalty": 0.{{new string('0', room)}}1}""");
        yield return Utf8($$"""{"text": "3/5/79", "{{new string('k', room)}}": 1}""");
        yield return Utf8($$"""{"text": "3/5/79", "model": "{{new string('m', room)}}"}""");
        yield return Utf8(new string(' ', maxBytes));
        yield return [];
        yield return [0];
        yield return [0xEF, 0xBB, 0xBF, .. Utf8("""{"text": "3/5/79"}""")];
        yield return Encoding.Unicode.GetBytes("""{"text": "3/5/79"}""");
        yield return Encoding.BigEndianUnicode.GetBytes("""{"text": "3/5/79"}""");
        yield return Encoding.UTF32.GetBytes("""{"text": "3/5/79"}""");
        yield return Encoding.Latin1.GetBytes("""{"text": "d\u00e9c 3, 1979"}""");
    }

    /// <summary>A valid seed with 1-4 random edits, or (one time in ten) random bytes.</summary>
    private static byte[] Mutate(Random rng, int maxBytes)
    {
        if (rng.Next(10) == 0)
        {
            var noise = new byte[rng.Next(0, 64)];
            rng.NextBytes(noise);
            return noise;
        }
        var body = new List<byte>(Utf8(Seeds[rng.Next(Seeds.Length)]));
        for (int edits = rng.Next(1, 5); edits > 0; edits--)
        {
            int at = rng.Next(body.Count + 1);
            switch (rng.Next(9))
            {
                case 0 when at < body.Count: body[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1 when at < body.Count: body[at] = (byte)rng.Next(256); break;
                case 2: body.Insert(at, (byte)rng.Next(256)); break;
                case 3 when at < body.Count: body.RemoveRange(at, Math.Min(rng.Next(1, 4), body.Count - at)); break;
                case 4: body.InsertRange(at, BadUtf8[rng.Next(BadUtf8.Length)]); break;
                case 5: body.InsertRange(at, Utf8(NastyEscapes[rng.Next(NastyEscapes.Length)])); break;
                case 6: body.InsertRange(at, Utf8(Values[rng.Next(Values.Length)])); break;
                case 7 when at < body.Count:
                    int len = Math.Min(rng.Next(1, 16), body.Count - at);
                    body.InsertRange(at, body.GetRange(at, len));
                    break;
                case 8: body.RemoveRange(at, body.Count - at); break;
            }
        }
        return body.Count <= maxBytes ? [.. body] : [.. body.GetRange(0, maxBytes)];
    }
}
