using System.Numerics.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>Fused GRU step: one GEMM for all three hidden projections, gate math in one kernel, hand-written backward.</summary>
public static partial class Ops
{
    /// <summary>
    /// One GRU step in PyTorch's form. <paramref name="gx"/> [B, 3H] is the caller's input projection
    /// x·W_ihᵀ + b_ih (so a whole sequence's can be one GEMM), <paramref name="h"/> [B, H] the previous
    /// state, <paramref name="weightHh"/> [3H, H] and <paramref name="biasHh"/> [3H] (or null) the hidden
    /// projection, gate blocks r, z, n → h' [B, H].
    /// </summary>
    public static Tensor GruCell(Tensor gx, Tensor h, Tensor weightHh, Tensor? biasHh)
    {
        CheckCell(nameof(GruCell), 3, gx, h, null, weightHh, biasHh);
        return GruCellCore(ProjectionRows.Whole(gx), h, weightHh, biasHh);
    }

    /// <summary>
    /// <see cref="GruCell"/> on step <paramref name="step"/> of a whole sequence's input projection
    /// <paramref name="gxSequence"/> [B', T, 3H], its first B rows (B = the rows of <paramref name="h"/>,
    /// at most B'), read in place: no per-step copy of the projection, and the step's gradient is added
    /// straight into the sequence's.
    /// </summary>
    public static Tensor GruCellAt(Tensor gxSequence, int step, Tensor h, Tensor weightHh, Tensor? biasHh)
    {
        CheckCell(nameof(GruCellAt), 3, null, h, null, weightHh, biasHh);
        return GruCellCore(ProjectionRows.Step(nameof(GruCellAt), gxSequence, step, h.Shape[0], 3 * h.Shape[1]), h, weightHh, biasHh);
    }

    private static Tensor GruCellCore(ProjectionRows gx, Tensor h, Tensor weightHh, Tensor? biasHh)
    {
        int batch = h.Shape[0], hidden = h.Shape[1];
        int size = batch * 3 * hidden;
        var y = Tensor.Empty(batch, hidden);
        bool records = Records(gx.Source, h, weightHh, biasHh);
        // gh is only needed during the forward; what the backward needs (r, z, n, gh_n) goes to `saved`.
        float[] gh = BufferPool.Shared.Rent(size);
        HiddenProjection(h.Data, weightHh, biasHh, gh.AsSpan(0, size), batch, hidden, 3);
        // Inference: nothing is kept for a backward, so the scratch goes straight back to the pool.
        float[]? scratch = records ? null : BufferPool.Shared.Rent(4 * batch * hidden);
        // Scoped, so it returns to the pool with the step's other activations (or with the node, see Tensor.Saving).
        var saved = records ? Tensor.Empty(batch, 4 * hidden) : null;
        ForCellRows(batch, 4 * hidden, (lo, n) => GruCellKernel.Forward(gx.From(lo), gx.Stride,
            gh.AsSpan(lo * 3 * hidden, n * 3 * hidden), h.Data.Slice(lo * hidden, n * hidden),
            (saved is null ? scratch.AsSpan() : saved.Data).Slice(lo * 4 * hidden, n * 4 * hidden), y.Data.Slice(lo * hidden, n * hidden), n, hidden));
        BufferPool.Shared.Return(gh);
        if (scratch is not null)
        {
            BufferPool.Shared.Return(scratch);
            return y;
        }
        var parents = biasHh is null ? new[] { gx.Source, h, weightHh } : new[] { gx.Source, h, weightHh, biasHh };
        return y.Attach(() =>
        {
            float[] dgx = BufferPool.Shared.Rent(size), dgh = BufferPool.Shared.Rent(size);
            var dA = dgx.AsSpan(0, size);
            var dG = dgh.AsSpan(0, size);
            bool wantDh = h.RequiresGrad;
            if (wantDh) _ = h.Grad; // allocated here, not by two threads at once
            ForCellRows(batch, 4 * hidden, (lo, n) => GruCellKernel.Backward(y.Grad.Slice(lo * hidden, n * hidden),
                saved!.Data.Slice(lo * 4 * hidden, n * 4 * hidden), h.Data.Slice(lo * hidden, n * hidden),
                dgx.AsSpan(lo * 3 * hidden, n * 3 * hidden), dgh.AsSpan(lo * 3 * hidden, n * 3 * hidden),
                wantDh ? h.Grad.Slice(lo * hidden, n * hidden) : default, n, hidden));
            if (gx.Source.RequiresGrad) gx.AccumulateGrad(dA, batch);
            HiddenProjectionBackward(dG, h, weightHh, biasHh, batch, hidden, 3);
            BufferPool.Shared.Return(dgx);
            BufferPool.Shared.Return(dgh);
        }, parents).Saving(saved!);
    }

    /// <summary>
    /// The rows of a cell's input projection: a whole [B, G·H] tensor, or the first B rows of one step of a
    /// [B', T, G·H] sequence projection, row b at <see cref="Offset"/> + b·<see cref="Stride"/>.
    /// </summary>
    private readonly record struct ProjectionRows(Tensor Source, int Offset, int Stride, int Width)
    {
        public static ProjectionRows Whole(Tensor gx) => new(gx, 0, gx.Shape[1], gx.Shape[1]);

        public static ProjectionRows Step(string op, Tensor seq, int step, int rows, int width)
        {
            if (seq.Rank != 3 || seq.Shape[2] != width || seq.Shape[0] < rows)
                throw new ArgumentException($"{op}: sequence projection {ShapeOf.Format(seq.Shape)} must be [B' ≥ {rows}, T, {width}]");
            if ((uint)step >= (uint)seq.Shape[1])
                throw new ArgumentOutOfRangeException(nameof(step), step, $"{op}: step {step} is outside 0..{seq.Shape[1] - 1} of {ShapeOf.Format(seq.Shape)}");
            return new(seq, step * width, seq.Shape[1] * width, width);
        }

        /// <summary>The values from row <paramref name="row"/> on (rows <see cref="Stride"/> apart).</summary>
        public ReadOnlySpan<float> From(int row) => Source.Data[(Offset + row * Stride)..];

        /// <summary>Adds d [rows, Width] into the gradient of these rows (a sequence projection's sink takes a step's rows itself).</summary>
        public void AccumulateGrad(ReadOnlySpan<float> d, int rows)
        {
            if (Offset == 0 && Stride == Width && rows == Source.Shape[0])
            {
                Source.AccumulateGrad(d);
                return;
            }
            if (Source.StepSink is { } sink)
            {
                sink.Absorb(Offset / Width, d, rows);
                return;
            }
            var g = Source.Grad;
            for (int r = 0; r < rows; r++)
            {
                var row = g.Slice(Offset + r * Stride, Width);
                TensorPrimitives.Add(row, d.Slice(r * Width, Width), row);
            }
        }
    }

    /// <summary>
    /// body(firstRow, rowCount) over chunks of a cell's rows, on the workers when the step is big enough:
    /// the gate kernels treat every row on its own, so the chunking does not change the bits.
    /// </summary>
    private static void ForCellRows(int batch, int work, Action<int, int> body)
    {
        RowParallel.For(batch, work, RowParallel.TwoChunksPerThread(batch, minRows: 8), (_, lo, hi) => body(lo, hi - lo));
    }

    /// <summary>Whether an op on these inputs records a backward (grad mode on and some input requires grad).</summary>
    private static bool Records(params ReadOnlySpan<Tensor?> inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs)
            if (t is not null && t.RequiresGrad) return true;
        return false;
    }

    /// <summary>Checks a recurrent cell's operands, naming the ones that disagree; returns (B, H).</summary>
    private static (int Batch, int Hidden) CheckCell(string op, int gates, Tensor? gx, Tensor h, Tensor? c, Tensor weightHh, Tensor? biasHh)
    {
        string blocks = gates == 3 ? "3H (r, z, n)" : "4H (i, f, g, o)";
        if (h.Rank != 2)
            throw new ArgumentException($"{op}: hidden state h must be [B, H], got {ShapeOf.Format(h.Shape)}");
        int batch = h.Shape[0], hidden = h.Shape[1];
        if (gx is not null && (gx.Rank != 2 || gx.Shape[0] != batch || gx.Shape[1] != gates * hidden))
            throw new ArgumentException($"{op}: input projection gx {ShapeOf.Format(gx.Shape)} does not match h {ShapeOf.Format(h.Shape)}: it must be [B, {blocks}] = [{batch}, {gates * hidden}]");
        if (c is not null && !ShapeOf.Same(c.Shape, h.Shape))
            throw new ArgumentException($"{op}: cell state c {ShapeOf.Format(c.Shape)} does not match h {ShapeOf.Format(h.Shape)}");
        if (weightHh.Rank != 2 || weightHh.Shape[0] != gates * hidden || weightHh.Shape[1] != hidden)
            throw new ArgumentException($"{op}: weight_hh {ShapeOf.Format(weightHh.Shape)} does not match h {ShapeOf.Format(h.Shape)}: it must be [{blocks}, H] = [{gates * hidden}, {hidden}]");
        if (biasHh is not null && (biasHh.Rank != 1 || biasHh.Shape[0] != gates * hidden))
            throw new ArgumentException($"{op}: bias_hh {ShapeOf.Format(biasHh.Shape)} does not match weight_hh {ShapeOf.Format(weightHh.Shape)}: it must be [{gates * hidden}]");
        return (batch, hidden);
    }

    /// <summary>gh = h·W_hhᵀ + b_hh, [B, G·H].</summary>
    private static void HiddenProjection(ReadOnlySpan<float> h, Tensor weightHh, Tensor? biasHh, Span<float> gh, int batch, int hidden, int gates)
    {
        int width = gates * hidden;
        if (weightHh.Quantized is { } q && q.Runs(batch))
        {
            q.Multiply(h, biasHh is null ? default : biasHh.Data, gh, batch);
            return;
        }
        if (weightHh.Packed is { } packed)
        {
            Gemm.MultiplyPrepacked(h, weightHh.Data, packed, biasHh is null ? default : biasHh.Data, gh, batch);
            return;
        }
        if (biasHh is null)
        {
            Gemm.Multiply(h, weightHh.Data, gh, batch, width, hidden, transB: true);
            return;
        }
        Gemm.MultiplyAddRowBias(h, weightHh.Data, biasHh.Data, gh, batch, width, hidden, transB: true);
    }

    /// <summary>Given dgh [B, G·H]: dh += dgh·W_hh, dW_hh += dghᵀ·h, db_hh += Σ_b dgh.</summary>
    private static void HiddenProjectionBackward(ReadOnlySpan<float> dgh, Tensor h, Tensor weightHh, Tensor? biasHh, int batch, int hidden, int gates)
    {
        int width = gates * hidden;
        if (h.RequiresGrad) Gemm.Multiply(dgh, weightHh.Data, h.Grad, batch, hidden, width, accumulate: true);
        if (weightHh.RequiresGrad) Gemm.Multiply(dgh, h.Data, weightHh.Grad, width, hidden, batch, transA: true, accumulate: true);
        if (biasHh is not null && biasHh.RequiresGrad)
        {
            var db = biasHh.Grad;
            for (int b = 0; b < batch; b++) TensorPrimitives.Add(db, dgh.Slice(b * width, width), db);
        }
    }
}
