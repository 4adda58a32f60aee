using System.Text;
using Attend.Tensors.IO;

namespace Attend.Evaluation;

/// <summary>
/// Reads a hypothesis/reference/source file the way the sacreBLEU command line does: UTF-8 (a BOM is kept
/// as a character, as Python's "utf-8" codec does), split on '\n' only, Python <c>rstrip()</c> on every line;
/// the final newline does not add an empty segment.
/// </summary>
internal static class SegmentFile
{
    public static List<string> Read(string path)
    {
        InputFile.Check(path);
        if (!File.Exists(path)) throw new EvaluationInputException($"file not found: {path}");
        return Parse(new UTF8Encoding(false, false).GetString(File.ReadAllBytes(path)));
    }

    public static List<string> Parse(string content)
    {
        var lines = new List<string>();
        int start = 0;
        while (start < content.Length)
        {
            int nl = content.IndexOf('\n', start);
            if (nl < 0) { lines.Add(PyText.RStrip(content[start..])); break; }
            lines.Add(PyText.RStrip(content[start..nl]));
            start = nl + 1;
        }
        return lines;
    }
}

/// <summary>Bad user input (missing file, mismatched line counts, unknown option value): the CLI exits with 2.</summary>
internal sealed class EvaluationInputException(string message) : Exception(message);
