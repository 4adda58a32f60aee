namespace Attend.Text;

/// <summary>
/// Bad text input: a missing or unreadable file, invalid UTF-8, mismatched line counts, a malformed codes or
/// vocabulary file. The message always names the file, and the 1-based line when there is one, so that
/// the CLI can print it as a single line.
/// </summary>
internal sealed class TextDataException : Exception
{
    public string? FilePath { get; }
    public long? Line { get; }

    public TextDataException(string message, string? filePath = null, long? line = null, Exception? inner = null)
        : base(Format(message, filePath, line), inner)
    {
        FilePath = filePath;
        Line = line;
    }

    private static string Format(string message, string? filePath, long? line) =>
        filePath is null ? message : line is null ? $"{filePath}: {message}" : $"{filePath}:{line}: {message}";
}
