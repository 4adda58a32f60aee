using System.Numerics;
using System.Numerics.Tensors;

namespace Attend.Tensors.Kernels;

/// <summary>
/// The element-wise part of an LSTM step, after the projections: gates = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh,
/// [B, 4H] with blocks i, f, g, o (PyTorch's order):
/// i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
/// </summary>
internal static class LstmCellKernel
{
    /// <summary>
    /// gates [B, 4H] pre-activations, activated in place (kept for the backward); c [B, H] →
    /// cNext, tanhC (tanh(c'), kept for the backward) and hNext, each [B, H].
    /// </summary>
    public static void Forward(Span<float> gates, ReadOnlySpan<float> c, Span<float> cNext, Span<float> tanhC,
        Span<float> hNext, int batch, int hidden)
    {
        if (hidden == 0) return; // TensorPrimitives.Sigmoid rejects empty spans
        int h4 = 4 * hidden;
        for (int b = 0; b < batch; b++)
        {
            var a = gates.Slice(b * h4, h4);
            // i and f are adjacent: one sigmoid covers both.
            Elementwise.Map(a[..(2 * hidden)], a[..(2 * hidden)], new SigmoidOp());
            var i = a[..hidden];
            var f = a.Slice(hidden, hidden);
            var g = a.Slice(2 * hidden, hidden);
            var o = a.Slice(3 * hidden, hidden);
            Elementwise.Map(g, g, new TanhOp());
            Elementwise.Map(o, o, new SigmoidOp());
            var cn = cNext.Slice(b * hidden, hidden);
            var tc = tanhC.Slice(b * hidden, hidden);
            TensorPrimitives.Multiply(f, c.Slice(b * hidden, hidden), cn);
            TensorPrimitives.MultiplyAdd(i, g, cn, cn);
            Elementwise.Map(cn, tc, new TanhOp());
            TensorPrimitives.Multiply(o, tc, hNext.Slice(b * hidden, hidden));
        }
    }

    /// <summary>
    /// dhNext, dcNext [B, H] (the upstream gradients of h' and c'; pass zeros for an unused output),
    /// the saved activated gates [B, 4H], c and cNext [B, H] → da [B, 4H], the gradient of the gate
    /// pre-activations (overwritten; it is the gradient of both projections); dc [B, H] accumulates
    /// f ⊙ dc_total (skipped when empty).
    /// </summary>
    /// <remarks>
    /// tanh(c') is computed again from c', row by row as <see cref="Forward"/> computes it (the same values bit
    /// for bit), instead of being kept from the forward: a step's backward then holds H floats per row fewer
    /// for the whole time between its forward and its backward, for H tanh per row.
    /// </remarks>
    public static void Backward(ReadOnlySpan<float> dhNext, ReadOnlySpan<float> dcNext, ReadOnlySpan<float> gates,
        ReadOnlySpan<float> c, ReadOnlySpan<float> cNext, Span<float> da, Span<float> dc, int batch, int hidden)
    {
        int h4 = 4 * hidden;
        bool wantDc = !dc.IsEmpty;
        float[]? rented = hidden > 1024 ? BufferPool.Shared.Rent(hidden) : null;
        Span<float> tc = rented is null ? stackalloc float[hidden] : rented.AsSpan(0, hidden);
        for (int b = 0; b < batch; b++)
        {
            int row = b * hidden;
            var dy = dhNext.Slice(row, hidden);
            var dcn = dcNext.Slice(row, hidden);
            var cp = c.Slice(row, hidden);
            if (hidden > 0) Elementwise.Map(cNext.Slice(row, hidden), tc, new TanhOp());
            var a = gates.Slice(b * h4, h4);
            var i = a[..hidden];
            var f = a.Slice(hidden, hidden);
            var g = a.Slice(2 * hidden, hidden);
            var o = a.Slice(3 * hidden, hidden);
            var d = da.Slice(b * h4, h4);
            var dcr = wantDc ? dc.Slice(row, hidden) : default;

            int j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var one = Vector<float>.One;
                for (; j <= hidden - Vector<float>.Count; j += Vector<float>.Count)
                {
                    var vdy = new Vector<float>(dy[j..]);
                    var vtc = new Vector<float>(tc[j..]);
                    var vi = new Vector<float>(i[j..]);
                    var vf = new Vector<float>(f[j..]);
                    var vg = new Vector<float>(g[j..]);
                    var vo = new Vector<float>(o[j..]);
                    var dct = new Vector<float>(dcn[j..]) + vdy * vo * (one - vtc * vtc);
                    (dct * vg * vi * (one - vi)).CopyTo(d[j..]);
                    (dct * new Vector<float>(cp[j..]) * vf * (one - vf)).CopyTo(d[(hidden + j)..]);
                    (dct * vi * (one - vg * vg)).CopyTo(d[(2 * hidden + j)..]);
                    (vdy * vtc * vo * (one - vo)).CopyTo(d[(3 * hidden + j)..]);
                    if (wantDc) (new Vector<float>(dcr[j..]) + dct * vf).CopyTo(dcr[j..]);
                }
            }
            for (; j < hidden; j++)
            {
                float vdy = dy[j], vtc = tc[j], vi = i[j], vf = f[j], vg = g[j], vo = o[j];
                float dct = dcn[j] + vdy * vo * (1f - vtc * vtc);
                d[j] = dct * vg * vi * (1f - vi);
                d[hidden + j] = dct * cp[j] * vf * (1f - vf);
                d[2 * hidden + j] = dct * vi * (1f - vg * vg);
                d[3 * hidden + j] = vdy * vtc * vo * (1f - vo);
                if (wantDc) dcr[j] += dct * vf;
            }
        }
        if (rented is not null) BufferPool.Shared.Return(rented);
    }
}
