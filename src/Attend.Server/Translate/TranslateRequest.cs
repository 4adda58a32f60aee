using System.Text.Json;

namespace Attend.Server.Translate;

/// <summary>The body of POST /api/translate: one <c>text</c> or several <c>texts</c>, and optional search settings and model.</summary>
internal sealed record TranslateRequest(string? Text, IReadOnlyList<string?>? Texts, int? Beam, int? NBest, double? LengthPenalty, string? Model)
{
    public static readonly string[] Fields = ["text", "texts", "beam", "nbest", "lengthPenalty", "model"];

    /// <summary>
    /// Reads the JSON body field by field, so every mistake gets a message that names the field (an unknown
    /// or repeated field is an error, as unknown config keys are). Returns null and the message when the body
    /// is not a request: not UTF-8, not JSON, or a string that is not text (an escaped lone surrogate).
    /// </summary>
    public static (TranslateRequest? Request, string? Error) Parse(ReadOnlyMemory<byte> body)
    {
        if (Utf8Text.FirstInvalidByte(body.Span) is int bad)
            return (null, $"the body is not valid UTF-8 (byte 0x{body.Span[bad]:X2} at offset {bad}); send JSON encoded as UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            return (null, $"malformed JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: expected an object like {{\"text\": \"…\"}}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, $"the body must be a JSON object like {{\"text\": \"…\"}}, got {Kind(root)}");
            string? text = null, model = null;
            List<string?>? texts = null;
            int? beam = null, nbest = null;
            double? penalty = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
            {
                if (!Utf8Text.TryName(p, out var name))
                    return (null, $"a field name {Utf8Text.LoneSurrogate} (expected {string.Join(", ", Fields)})");
                if (!seen.Add(name)) return (null, $"field '{Utf8Text.Clip(name)}' is given twice");
                var v = p.Value;
                if (v.ValueKind == JsonValueKind.Null) continue;
                string? error = name switch
                {
                    "text" => ReadString("text", v, out text),
                    "model" => ReadString("model", v, out model),
                    "texts" => ReadTexts(v, out texts),
                    "beam" => ReadInt("beam", v, out beam),
                    "nbest" => ReadInt("nbest", v, out nbest),
                    "lengthPenalty" => v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d)
                        ? Set(out penalty, d) : Expected("lengthPenalty", "a number", v),
                    _ => $"unknown field '{Utf8Text.Clip(name)}' (expected {string.Join(", ", Fields)})",
                };
                if (error is not null) return (null, error);
            }
            return (new TranslateRequest(text, texts, beam, nbest, penalty, model), null);
        }
    }

    private static string? Set<T>(out T field, T value)
    {
        field = value;
        return null;
    }

    private static string? ReadInt(string name, JsonElement v, out int? value)
    {
        value = null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) { value = i; return null; }
        return Expected(name, "an integer", v);
    }

    private static string? ReadString(string name, JsonElement v, out string? value)
    {
        value = null;
        if (v.ValueKind != JsonValueKind.String) return Expected(name, "a string", v);
        return Utf8Text.TryString(v, out value) ? null : $"{name} {Utf8Text.LoneSurrogate}";
    }

    private static string? ReadTexts(JsonElement v, out List<string?>? texts)
    {
        texts = null;
        if (v.ValueKind != JsonValueKind.Array) return Expected("texts", "an array of strings", v);
        var list = new List<string?>();
        int i = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (ReadString($"texts[{i}]", item, out var text) is string error) return error;
            list.Add(text);
            i++;
        }
        texts = list;
        return null;
    }

    private static string Expected(string field, string what, JsonElement got) => $"{field}: expected {what}, got {Kind(got)}";

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {Utf8Text.Clip(e.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => e.ValueKind.ToString().ToLowerInvariant(),
    };
}
