using System.Numerics.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>Fused LSTM step: one GEMM for all four hidden projections, gate math in one kernel, hand-written backward.</summary>
public static partial class Ops
{
    /// <summary>
    /// One LSTM step in PyTorch's form. <paramref name="gx"/> [B, 4H] is the caller's input projection
    /// x·W_ihᵀ + b_ih, <paramref name="h"/> and <paramref name="c"/> [B, H] the previous state,
    /// <paramref name="weightHh"/> [4H, H] and <paramref name="biasHh"/> [4H] (or null) the hidden
    /// projection, gate blocks i, f, g, o → (h', c'), each [B, H].
    /// </summary>
    /// <remarks>
    /// Two outputs share one backward. Both hang off an internal one-element "joint" node whose
    /// parents are the real inputs: the outputs' own closures only mark the joint as reached, and
    /// since the topological order puts the joint before both outputs, its fused closure runs after
    /// every consumer of h' and c' has delivered its gradient, reading whichever of the two exist.
    /// </remarks>
    public static (Tensor H, Tensor C) LstmCell(Tensor gx, Tensor h, Tensor c, Tensor weightHh, Tensor? biasHh)
    {
        CheckCell(nameof(LstmCell), 4, gx, h, c, weightHh, biasHh);
        return LstmCellCore(ProjectionRows.Whole(gx), h, c, weightHh, biasHh);
    }

    /// <summary>
    /// <see cref="LstmCell"/> on step <paramref name="step"/> of a whole sequence's input projection
    /// <paramref name="gxSequence"/> [B', T, 4H], its first B rows (B = the rows of <paramref name="h"/>), read
    /// in place (see <see cref="GruCellAt"/>).
    /// </summary>
    public static (Tensor H, Tensor C) LstmCellAt(Tensor gxSequence, int step, Tensor h, Tensor c, Tensor weightHh, Tensor? biasHh)
    {
        CheckCell(nameof(LstmCellAt), 4, null, h, c, weightHh, biasHh);
        return LstmCellCore(ProjectionRows.Step(nameof(LstmCellAt), gxSequence, step, h.Shape[0], 4 * h.Shape[1]), h, c, weightHh, biasHh);
    }

    private static (Tensor H, Tensor C) LstmCellCore(ProjectionRows gx, Tensor h, Tensor c, Tensor weightHh, Tensor? biasHh)
    {
        int batch = h.Shape[0], hidden = h.Shape[1];
        int size = batch * 4 * hidden, state = batch * hidden;
        var hNext = Tensor.Empty(batch, hidden);
        var cNext = Tensor.Empty(batch, hidden);
        bool records = Records(gx.Source, h, c, weightHh, biasHh);
        // With a graph the backward keeps the activated gates and c' (it computes tanh(c') again from c'), not tanh(c').
        var gatesT = Tensor.Empty(batch, 4 * hidden);
        float[] tanhC = BufferPool.Shared.Rent(state);
        LstmPreActivations(gx, h.Data, weightHh, biasHh, gatesT.Data, batch, hidden);
        ForCellRows(batch, 4 * hidden, (lo, n) => LstmCellKernel.Forward(gatesT.Data.Slice(lo * 4 * hidden, n * 4 * hidden),
            c.Data.Slice(lo * hidden, n * hidden), cNext.Data.Slice(lo * hidden, n * hidden),
            tanhC.AsSpan(lo * hidden, n * hidden), hNext.Data.Slice(lo * hidden, n * hidden), n, hidden));
        BufferPool.Shared.Return(tanhC);
        if (!records)
        {
            gatesT.FreeValues();
            return (hNext, cNext);
        }

        var joint = Tensor.Zeros(1);
        var parents = biasHh is null ? new[] { gx.Source, h, c, weightHh } : new[] { gx.Source, h, c, weightHh, biasHh };
        joint.Attach(() =>
        {
            float[] da = BufferPool.Shared.Rent(size);
            float[]? zeros = null;
            // An output no consumer used has no gradient: it contributes zeros.
            if (!hNext.HasGrad || !cNext.HasGrad)
            {
                zeros = BufferPool.Shared.Rent(state);
                zeros.AsSpan(0, state).Clear();
            }
            var dA = da.AsSpan(0, size);
            bool hasDh = hNext.HasGrad, hasDc = cNext.HasGrad, wantDc = c.RequiresGrad;
            if (wantDc) _ = c.Grad; // allocated here, not by two threads at once
            ForCellRows(batch, 4 * hidden, (lo, n) =>
            {
                int at = lo * hidden, len = n * hidden;
                ReadOnlySpan<float> dh = hasDh ? hNext.Grad.Slice(at, len) : zeros.AsSpan(at, len);
                ReadOnlySpan<float> dc = hasDc ? cNext.Grad.Slice(at, len) : zeros.AsSpan(at, len);
                LstmCellKernel.Backward(dh, dc, gatesT.Data.Slice(lo * 4 * hidden, n * 4 * hidden), c.Data.Slice(at, len),
                    cNext.Data.Slice(at, len), da.AsSpan(lo * 4 * hidden, n * 4 * hidden), wantDc ? c.Grad.Slice(at, len) : default, n, hidden);
            });
            // Nothing reads the outputs' gradients after this: return them now, not at the end of the pass.
            hNext.ReleaseGrad();
            cNext.ReleaseGrad();
            if (gx.Source.RequiresGrad) gx.AccumulateGrad(dA, batch);
            HiddenProjectionBackward(dA, h, weightHh, biasHh, batch, hidden, 4);
            BufferPool.Shared.Return(da);
            if (zeros is not null) BufferPool.Shared.Return(zeros);
        }, parents).Saving(gatesT, cNext);
        // Reaching an output allocates the joint's gradient, which is what lets its closure run.
        hNext.Attach(() => joint.Grad[0] = 1f, joint);
        cNext.Attach(() => joint.Grad[0] = 1f, joint);
        hNext.GradReadLater = cNext.GradReadLater = true;
        cNext.ValuesReadLater = true; // the joint reads c' after c' itself was passed; it returns c' with its saved tensors
        return (hNext, cNext);
    }

    /// <summary>a = gx + b_hh + h·W_hhᵀ, [B, 4H]: the sum of both projections is all the gates need.</summary>
    private static void LstmPreActivations(ProjectionRows gx, ReadOnlySpan<float> h, Tensor weightHh, Tensor? biasHh,
        Span<float> gates, int batch, int hidden)
    {
        int width = 4 * hidden;
        var x = gx.From(0);
        for (int b = 0; b < batch; b++)
        {
            var row = x.Slice(b * gx.Stride, width);
            if (biasHh is null) row.CopyTo(gates.Slice(b * width, width));
            else TensorPrimitives.Add(row, biasHh.Data, gates.Slice(b * width, width));
        }
        if (weightHh.Quantized is { } q && q.Runs(batch)) q.Multiply(h, default, gates, batch, accumulate: true);
        else if (weightHh.Packed is { } packed) Gemm.MultiplyPrepacked(h, weightHh.Data, packed, default, gates, batch, accumulate: true);
        else Gemm.Multiply(h, weightHh.Data, gates, batch, width, hidden, transB: true, accumulate: true);
    }
}
