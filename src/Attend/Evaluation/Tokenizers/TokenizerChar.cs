using System.Text;

namespace Attend.Evaluation.Tokenizers;

/// <summary>sacreBLEU's <c>tok:char</c>: <c>' '.join(line)</c>, every code point (not UTF-16 unit) separated by a space.</summary>
internal static class TokenizerChar
{
    public static string Tokenize(string line)
    {
        var sb = new StringBuilder(line.Length * 2);
        foreach (int cp in PyText.CodePoints(line))
        {
            if (sb.Length > 0) sb.Append(' ');
            PyText.AppendCodePoint(sb, cp);
        }
        return sb.ToString();
    }
}
