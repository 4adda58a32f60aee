using System.Runtime.Intrinsics;

namespace Attend.Tensors.Kernels;

/// <summary>
/// Σx² of a float span in double, as gradient-norm clipping needs it: eight double lanes, lane j summing the squares
/// of x[8k + j] in order, then the lanes in order, then the tail. The lane structure is the same on every path
/// (512-bit, 256-bit, scalar), so the bits are the same on every CPU; multiply and add stay separate (no FMA) for
/// the same reason. Eight independent lanes instead of one dependent chain: about 8× the scalar loop's speed.
/// </summary>
internal static class SumOfSquares
{
    private const int Lanes = 8;

    /// <summary>The naive reference with the same summation order.</summary>
    public static double Reference(ReadOnlySpan<float> x)
    {
        Span<double> lane = stackalloc double[Lanes];
        int i = 0;
        for (; i + Lanes <= x.Length; i += Lanes)
            for (int j = 0; j < Lanes; j++) lane[j] += (double)x[i + j] * x[i + j];
        double sum = 0;
        foreach (var l in lane) sum += l;
        for (; i < x.Length; i++) sum += (double)x[i] * x[i];
        return sum;
    }

    public static double Of(ReadOnlySpan<float> x)
    {
        Span<double> lane = stackalloc double[Lanes];
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var acc = Vector512<double>.Zero;
            for (; i + Lanes <= x.Length; i += Lanes)
            {
                var d = Vector512.WidenLower(Vector256.Create(x.Slice(i, Lanes)).ToVector512Unsafe());
                acc += d * d;
            }
            acc.CopyTo(lane);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> lo = Vector256<double>.Zero, hi = Vector256<double>.Zero;
            for (; i + Lanes <= x.Length; i += Lanes)
            {
                var f = Vector256.Create(x.Slice(i, Lanes));
                var a = Vector256.WidenLower(f);
                var b = Vector256.WidenUpper(f);
                lo += a * a;
                hi += b * b;
            }
            lo.CopyTo(lane);
            hi.CopyTo(lane[4..]);
        }
        else
            for (; i + Lanes <= x.Length; i += Lanes)
                for (int j = 0; j < Lanes; j++) lane[j] += (double)x[i + j] * x[i + j];
        double sum = 0;
        foreach (var l in lane) sum += l;
        for (; i < x.Length; i++) sum += (double)x[i] * x[i];
        return sum;
    }
}
