using System.CommandLine;
using System.CommandLine.Parsing;
using Attend.Tensors;

namespace Attend.Cli.Commands;

/// <summary>`--precision fp32|int8|bf16`, shared by the verbs that load a model to translate.</summary>
internal static class PrecisionOption
{
    /// <summary>The option; unset (null) means each checkpoint computes as stored.</summary>
    public static Option<Precision?> Create(string description, string helpName = "fp32|int8|bf16") => new("--precision")
    {
        Description = description,
        HelpName = helpName,
        CustomParser = r => r.Tokens.Count == 0 ? null : Parse(r),
    };

    private static Precision? Parse(ArgumentResult result)
    {
        string text = result.Tokens[^1].Value;
        if (Enum.TryParse(text, true, out Precision p) && Enum.IsDefined(p) && !int.TryParse(text, out _)) return p;
        result.AddError($"--precision: expected fp32, int8 or bf16, got '{text}'");
        return null;
    }
}
