using System.Text;
using System.Text.Json;

namespace Attend.Server.Translate;

/// <summary>
/// Text from untrusted JSON bytes without exceptions: where the body stops being UTF-8, and JSON strings that
/// are not text (a <c>\uD800</c>-style escape of a lone surrogate decodes to no Unicode scalar), plus a
/// clipped form of client text for quoting it back in an error.
/// </summary>
internal static class Utf8Text
{
    public const string LoneSurrogate =
        "has an escaped lone surrogate (such as \\uD800), which is not text; surrogate escapes come in high-low pairs";

    /// <summary>
    /// The offset of the first byte that does not start a valid UTF-8 scalar (overlong forms, encoded
    /// surrogates and stray bytes included), or null.
    /// </summary>
    public static int? FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return null;
        for (int at = 0; at < bytes.Length;)
        {
            if (Rune.DecodeFromUtf8(bytes[at..], out _, out int used) != System.Buffers.OperationStatus.Done) return at;
            at += used;
        }
        return null;
    }

    /// <summary>The string value of <paramref name="e"/> (a JSON string), or false when its escapes do not decode to text.</summary>
    public static bool TryString(JsonElement e, out string? value)
    {
        try
        {
            value = e.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }

    /// <summary>The name of <paramref name="p"/>, or false when its escapes do not decode to text.</summary>
    public static bool TryName(JsonProperty p, out string name)
    {
        try
        {
            name = p.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = "";
            return false;
        }
    }

    /// <summary>Client text cut to <paramref name="max"/> characters for an error message (never splitting a surrogate pair).</summary>
    public static string Clip(string s, int max = 40)
    {
        if (s.Length <= max) return s;
        int cut = char.IsHighSurrogate(s[max - 1]) ? max - 1 : max;
        return $"{s[..cut]}… ({s.Length} characters)";
    }
}
