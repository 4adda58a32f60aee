using System.Numerics;
using System.Numerics.Tensors;

namespace Attend.Tensors.Kernels;

/// <summary>
/// The element-wise part of a GRU step, after the two projections: gx = x·W_ihᵀ + b_ih and
/// gh = h·W_hhᵀ + b_hh, both [B, 3H] with gate blocks r, z, n (PyTorch's order). The reset gate
/// multiplies the whole hidden projection of n, bias included, as PyTorch does:
/// r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r ⊙ gh_n), h' = (1 − z) ⊙ n + z ⊙ h.
/// </summary>
internal static class GruCellKernel
{
    /// <summary>
    /// gx, gh [B, 3H]; h [B, H] → saved [B, 4H] (r, z, n, gh_n: all the backward needs, so the full
    /// gh need not outlive the forward) and hNext [B, H].
    /// </summary>
    public static void Forward(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, ReadOnlySpan<float> h,
        Span<float> saved, Span<float> hNext, int batch, int hidden) =>
        Forward(gx, 3 * hidden, gh, h, saved, hNext, batch, hidden);

    /// <summary>As above with row b of gx at b·<paramref name="gxStride"/> (a step of a [B, T, 3H] sequence projection: stride T·3H).</summary>
    public static void Forward(ReadOnlySpan<float> gx, int gxStride, ReadOnlySpan<float> gh, ReadOnlySpan<float> h,
        Span<float> saved, Span<float> hNext, int batch, int hidden)
    {
        if (hidden == 0) return; // TensorPrimitives.Sigmoid rejects empty spans
        int h3 = 3 * hidden, h4 = 4 * hidden;
        for (int b = 0; b < batch; b++)
        {
            var x = gx.Slice(b * gxStride, h3);
            var hh = gh.Slice(b * h3, h3);
            var s = saved.Slice(b * h4, h4);
            var rz = s[..(2 * hidden)];
            // r and z are adjacent, so one add and one sigmoid cover both.
            TensorPrimitives.Add(x[..(2 * hidden)], hh[..(2 * hidden)], rz);
            Elementwise.Map(rz, rz, new SigmoidOp());
            var r = s[..hidden];
            var z = s.Slice(hidden, hidden);
            var n = s.Slice(2 * hidden, hidden);
            var ghn = hh.Slice(2 * hidden, hidden);
            ghn.CopyTo(s.Slice(3 * hidden, hidden));
            TensorPrimitives.MultiplyAdd(r, ghn, x.Slice(2 * hidden, hidden), n);
            Elementwise.Map(n, n, new TanhOp());
            // h' = n + z ⊙ (h − n): one fewer multiply than (1 − z) ⊙ n + z ⊙ h.
            var y = hNext.Slice(b * hidden, hidden);
            TensorPrimitives.Subtract(h.Slice(b * hidden, hidden), n, y);
            TensorPrimitives.MultiplyAdd(y, z, n, y);
        }
    }

    /// <summary>
    /// dhNext [B, H], saved [B, 4H] (r, z, n, gh_n from the forward), h [B, H] → dgx [B, 3H] (gradient of the input
    /// projection: da_r, da_z, da_n), dgh [B, 3H] (gradient of the hidden projection: da_r, da_z,
    /// r ⊙ da_n), both overwritten; dh [B, H] accumulates the direct path z ⊙ dh' (skipped when empty).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> dhNext, ReadOnlySpan<float> saved, ReadOnlySpan<float> h,
        Span<float> dgx, Span<float> dgh, Span<float> dh, int batch, int hidden)
    {
        int h3 = 3 * hidden, h4 = 4 * hidden;
        bool wantDh = !dh.IsEmpty;
        for (int b = 0; b < batch; b++)
        {
            var dy = dhNext.Slice(b * hidden, hidden);
            var hp = h.Slice(b * hidden, hidden);
            var s = saved.Slice(b * h4, h4);
            var r = s[..hidden];
            var z = s.Slice(hidden, hidden);
            var n = s.Slice(2 * hidden, hidden);
            var ghn = s.Slice(3 * hidden, hidden);
            var ax = dgx.Slice(b * h3, h3);
            var ah = dgh.Slice(b * h3, h3);
            var dhr = wantDh ? dh.Slice(b * hidden, hidden) : default;

            int j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var one = Vector<float>.One;
                for (; j <= hidden - Vector<float>.Count; j += Vector<float>.Count)
                {
                    var vdy = new Vector<float>(dy[j..]);
                    var vr = new Vector<float>(r[j..]);
                    var vz = new Vector<float>(z[j..]);
                    var vn = new Vector<float>(n[j..]);
                    var vh = new Vector<float>(hp[j..]);
                    var dan = vdy * (one - vz) * (one - vn * vn);
                    var daz = vdy * (vh - vn) * vz * (one - vz);
                    var dar = dan * new Vector<float>(ghn[j..]) * vr * (one - vr);
                    dar.CopyTo(ax[j..]);
                    daz.CopyTo(ax[(hidden + j)..]);
                    dan.CopyTo(ax[(2 * hidden + j)..]);
                    dar.CopyTo(ah[j..]);
                    daz.CopyTo(ah[(hidden + j)..]);
                    (dan * vr).CopyTo(ah[(2 * hidden + j)..]);
                    if (wantDh) (new Vector<float>(dhr[j..]) + vdy * vz).CopyTo(dhr[j..]);
                }
            }
            for (; j < hidden; j++)
            {
                float vdy = dy[j], vr = r[j], vz = z[j], vn = n[j];
                float dan = vdy * (1f - vz) * (1f - vn * vn);
                float daz = vdy * (hp[j] - vn) * vz * (1f - vz);
                float dar = dan * ghn[j] * vr * (1f - vr);
                ax[j] = dar; ax[hidden + j] = daz; ax[2 * hidden + j] = dan;
                ah[j] = dar; ah[hidden + j] = daz; ah[2 * hidden + j] = dan * vr;
                if (wantDh) dhr[j] += vdy * vz;
            }
        }
    }
}
