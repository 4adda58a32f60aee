using System.Globalization;
using Attend.Evaluation.Tokenizers;

namespace Attend.Evaluation;

/// <summary>sacreBLEU's smoothing methods (Chen &amp; Cherry 2014 names): exp (the default), floor, add-k, none.</summary>
public enum SmoothMethod
{
    /// <summary>Exponential decay of the zero n-gram counts (sacreBLEU's default).</summary>
    Exp,
    /// <summary>Zero counts replaced by the smoothing value (default 0.1).</summary>
    Floor,
    /// <summary>k (default 1) added to the counts of orders above 1.</summary>
    AddK,
    /// <summary>No smoothing.</summary>
    None,
}

/// <summary>
/// A BLEU configuration, sacreBLEU's defaults: 13a, mixed case, exp smoothing, effective order off (corpus).
/// <paramref name="SmoothValue"/> null means sacreBLEU's default (floor 0.1, add-k 1).
/// </summary>
public sealed record BleuConfig(
    BleuTokenizer Tokenize = BleuTokenizer.Tok13a,
    bool Lowercase = false,
    SmoothMethod Smooth = SmoothMethod.Exp,
    double? SmoothValue = null,
    bool EffectiveOrder = false)
{
    /// <summary>The largest n-gram order, 4.</summary>
    public const int MaxOrder = 4;

    /// <summary>The sacreBLEU version whose scores and signatures these reproduce.</summary>
    public const string SacreBleuVersion = "2.6.0";

    /// <summary>The smoothing constant actually used (null for exp and none).</summary>
    public double? ResolvedSmoothValue => SmoothValue ?? Smooth switch
    {
        SmoothMethod.Floor => 0.1,
        SmoothMethod.AddK => 1.0,
        _ => null,
    };

    internal static string SmoothName(SmoothMethod m) => m switch
    {
        SmoothMethod.Exp => "exp",
        SmoothMethod.Floor => "floor",
        SmoothMethod.AddK => "add-k",
        SmoothMethod.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };

    internal static SmoothMethod ParseSmooth(string name) => name switch
    {
        "exp" => SmoothMethod.Exp,
        "floor" => SmoothMethod.Floor,
        "add-k" => SmoothMethod.AddK,
        "none" => SmoothMethod.None,
        _ => throw new EvaluationInputException($"unknown smoothing method '{name}' (expected exp, floor, add-k or none)"),
    };

    /// <summary>sacreBLEU's signature, e.g. <c>nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0</c>.</summary>
    public string Signature(int numRefs)
    {
        string smooth = SmoothName(Smooth);
        if (ResolvedSmoothValue is double v) smooth += "[" + v.ToString("F2", CultureInfo.InvariantCulture) + "]";
        return $"nrefs:{numRefs}|case:{(Lowercase ? "lc" : "mixed")}|eff:{(EffectiveOrder ? "yes" : "no")}" +
               $"|tok:{BleuTokenizers.Name(Tokenize)}|smooth:{smooth}|version:{SacreBleuVersion}";
    }
}
