using System.Globalization;
using System.Text;

namespace Attend.Evaluation;

/// <summary>
/// Sufficient statistics of one segment (or, summed, of a corpus): hypothesis length, closest reference length,
/// and matched/total n-gram counts for n = 1..4.
/// </summary>
internal sealed class BleuStats
{
    public long SysLen;
    public long RefLen;
    public readonly long[] Correct = new long[BleuConfig.MaxOrder];
    public readonly long[] Total = new long[BleuConfig.MaxOrder];

    public void Add(BleuStats other)
    {
        SysLen += other.SysLen;
        RefLen += other.RefLen;
        for (int n = 0; n < BleuConfig.MaxOrder; n++) { Correct[n] += other.Correct[n]; Total[n] += other.Total[n]; }
    }
}

/// <summary>
/// A BLEU result as sacreBLEU reports it. <see cref="Counts"/>/<see cref="Totals"/> include add-k's +k on orders 2..4
/// (so they are doubles); <see cref="Precisions"/> are percentages after smoothing.
/// </summary>
public sealed record BleuScore(
    double Score, double[] Counts, double[] Totals, double[] Precisions, double Bp, long SysLen, long RefLen,
    string Signature)
{
    /// <summary>Hypothesis length over reference length (0 without reference tokens).</summary>
    public double Ratio => RefLen != 0 ? (double)SysLen / RefLen : 0.0;

    /// <summary>sacreBLEU's verbose part: <c>65.2/41.3/28.0/19.5 (BP = 1.000 ratio = 1.020 hyp_len = 30 ref_len = 29)</c>.</summary>
    public string Verbose
    {
        get
        {
            var ic = CultureInfo.InvariantCulture;
            var sb = new StringBuilder();
            sb.Append(string.Join('/', Precisions.Select(p => p.ToString("F1", ic))));
            sb.Append(ic, $" (BP = {Bp.ToString("F3", ic)} ratio = {Ratio.ToString("F3", ic)} hyp_len = {SysLen} ref_len = {RefLen})");
            return sb.ToString();
        }
    }

    /// <summary>The CLI's text line: <c>BLEU|signature = 34.12 65.2/41.3/… (BP = …)</c>.</summary>
    public string Format(int width = 2) =>
        $"BLEU|{Signature} = {Score.ToString("F" + width, CultureInfo.InvariantCulture)} {Verbose}";
}
