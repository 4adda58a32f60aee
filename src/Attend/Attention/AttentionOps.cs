using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Attend.Tensors;
using Attend.Tensors.Kernels;
using Tensor = Attend.Tensors.Tensor;

namespace Attend.Attention;

/// <summary>
/// The hot inner products of attention as fused ops with hand-written backward. Each is a batch of tiny
/// products (one query row against S keys), where a GEMM call per sentence costs more than the
/// arithmetic. The composed versions (MatMul, IndexSelect + Tanh + Linear) are their reference in the tests.
/// Queries are [B, D] or [B, T, D]; keys and memory [B, S, D]; scores and weights [B, S] or [B, T, S].
/// Keys and memory may hold more sentences than the queries (n ≤ B): the queries are then the first n
/// sentences, as in a decoder step over the still-running sentences of a batch sorted by target length,
/// and only those sentences' keys and memory are read and receive gradient. With <c>share</c> = K, query
/// row r reads sentence r / K (the K beams of a sentence share its memory, which is not copied K times).
/// </summary>
internal static class AttentionOps
{
    /// <summary>Weights = masked softmax of the scores (exactly 0 at padding); context = weights · memory.</summary>
    public static (Tensor Context, Tensor Weights) Weigh(Tensor scores, PreparedMemory prepared)
    {
        var weights = Ops.MaskedSoftmax(scores, prepared.Mask);
        return (WeightedSum(weights, prepared.Memory, prepared.QueriesPerSentence), weights);
    }

    /// <summary>
    /// e[b,t,s] = q[b,t] · k[b,s]. With a <paramref name="mask"/> ([≥ B, S], row b for query row b) the masked
    /// positions are not computed (score 0), for a masked softmax that gives them weight 0 whatever they
    /// hold. The backward skips positions whose score gradient is exactly 0 (their terms are all 0).
    /// </summary>
    public static Tensor Dot(Tensor query, Tensor keys, int share = 1, Tensor? mask = null)
    {
        var (b, t, s, d) = Dims(query, keys, share, nameof(Dot));
        CheckMask(mask, b, s, nameof(Dot));
        var y = Tensor.Empty(ScoreShape(query, s));
        ForQueryRows(b, t * s * d, (lo, hi) =>
        {
            var q = query.Data;
            var k = keys.Data;
            var e = y.Data;
            for (int bi = lo; bi < hi; bi++)
                for (int ti = 0; ti < t; ti++)
                {
                    var qr = q.Slice((bi * t + ti) * d, d);
                    for (int si = 0; si < s; si++)
                        e[(bi * t + ti) * s + si] = mask is not null && mask.Data[bi * s + si] == 0f
                            ? 0f : TensorPrimitives.Dot(qr, k.Slice((bi / share * s + si) * d, d));
                }
        });
        return y.Attach(() =>
        {
            Materialize(query, keys);
            ForSentences(b, share, t * s * d, (lo, hi) =>
            {
                var de = y.Grad;
                for (int bi = lo; bi < hi; bi++)
                    for (int ti = 0; ti < t; ti++)
                        for (int si = 0; si < s; si++)
                        {
                            float g = de[(bi * t + ti) * s + si];
                            if (g == 0f) continue; // padding (masked source, or a target position nothing scores)
                            if (query.RequiresGrad)
                            {
                                var dq = query.Grad.Slice((bi * t + ti) * d, d);
                                TensorPrimitives.MultiplyAdd(keys.Data.Slice((bi / share * s + si) * d, d), g, dq, dq);
                            }
                            if (keys.RequiresGrad)
                            {
                                var dk = keys.Grad.Slice((bi / share * s + si) * d, d);
                                TensorPrimitives.MultiplyAdd(query.Data.Slice((bi * t + ti) * d, d), g, dk, dk);
                            }
                        }
            });
        }, query, keys);
    }

    /// <summary>c[b,t] = Σ_s w[b,t,s] · m[b,s]. A weight of exactly 0 contributes exactly 0 to the memory's gradient.</summary>
    public static Tensor WeightedSum(Tensor weights, Tensor memory, int share = 1)
    {
        if (memory.Rank != 3 || weights.Rank is not (2 or 3) || share < 1 || weights.Shape[0] > (long)memory.Shape[0] * share || weights.Shape[^1] != memory.Shape[1])
            throw new ArgumentException($"attention context: weights {ShapeOf.Format(weights.Shape)} do not match memory {ShapeOf.Format(memory.Shape)} [B, S, D]");
        int b = weights.Shape[0], s = memory.Shape[1], d = memory.Shape[2], t = weights.Rank == 3 ? weights.Shape[1] : 1;
        var y = Tensor.Empty(weights.Rank == 3 ? [b, t, d] : [b, d]);
        ForQueryRows(b, t * s * d, (lo, hi) =>
        {
            var w = weights.Data;
            var m = memory.Data;
            for (int bi = lo; bi < hi; bi++)
                for (int ti = 0; ti < t; ti++)
                {
                    var c = y.Data.Slice((bi * t + ti) * d, d);
                    c.Clear();
                    for (int si = 0; si < s; si++)
                    {
                        float wi = w[(bi * t + ti) * s + si];
                        if (wi != 0f) TensorPrimitives.MultiplyAdd(m.Slice((bi / share * s + si) * d, d), wi, c, c); // padding: weight exactly 0
                    }
                }
        });
        return y.Attach(() =>
        {
            Materialize(weights, memory);
            ForSentences(b, share, t * s * d, (lo, hi) =>
            {
                var dy = y.Grad;
                for (int bi = lo; bi < hi; bi++)
                    for (int ti = 0; ti < t; ti++)
                    {
                        var dc = dy.Slice((bi * t + ti) * d, d);
                        if (!dc.ContainsAnyExcept(0f)) continue; // a position nothing scores: every term is 0
                        for (int si = 0; si < s; si++)
                        {
                            int wi = (bi * t + ti) * s + si;
                            if (weights.RequiresGrad) weights.Grad[wi] += TensorPrimitives.Dot(dc, memory.Data.Slice((bi / share * s + si) * d, d));
                            if (memory.RequiresGrad && weights.Data[wi] != 0f)
                            {
                                var dm = memory.Grad.Slice((bi / share * s + si) * d, d);
                                TensorPrimitives.MultiplyAdd(dc, weights.Data[wi], dm, dm);
                            }
                        }
                    }
            });
        }, weights, memory);
    }

    /// <summary>
    /// e[b,t,s] = Σ_a v[a] · tanh(q[b,t,a] + k[b,s,a]): the additive score; its [B·T·S, A] intermediate is
    /// recomputed by the backward, never stored. With a <paramref name="mask"/> ([≥ B, S], row b for query
    /// row b) the masked positions are not computed (their score is 0): for a masked softmax that follows,
    /// which gives them weight 0 and gradient 0 whatever they hold. Positions whose score gradient is
    /// exactly 0 (masked ones, finished sentences) are skipped by the backward: their terms are all 0.
    /// </summary>
    public static Tensor Additive(Tensor query, Tensor keys, Tensor v, int share = 1, Tensor? mask = null)
    {
        var (b, t, s, a) = Dims(query, keys, share, nameof(Additive));
        if (v.Length != a) throw new ArgumentException($"additive attention: v {ShapeOf.Format(v.Shape)} does not match attention size {a}");
        CheckMask(mask, b, s, nameof(Additive));
        var y = Tensor.Empty(ScoreShape(query, s));
        // The [B·T·S, A] hidden layer is never stored, with or without a graph (for Bahdanau's per-step scores
        // it is B·S·A floats per decoder step, 4 MB a step for the big reference model): one row of A per chunk of
        // query rows is reused, and the backward recomputes each row, one extra pass of tanh against ~120 MB
        // less memory per training step.
        ForQueryRows(b, t * s * a, (lo, hi) =>
        {
            var q = query.Data;
            var k = keys.Data;
            var h = BufferPool.Shared.Rent(a);
            for (int bi = lo; bi < hi; bi++)
                for (int ti = 0; ti < t; ti++)
                    for (int si = 0; si < s; si++)
                    {
                        if (mask is not null && mask.Data[bi * s + si] == 0f)
                        {
                            y.Data[(bi * t + ti) * s + si] = 0f;
                            continue;
                        }
                        Elementwise.Map(q.Slice((bi * t + ti) * a, a), k.Slice((bi / share * s + si) * a, a), h.AsSpan(0, a), new AddTanhOp());
                        y.Data[(bi * t + ti) * s + si] = TensorPrimitives.Dot(h.AsSpan(0, a), v.Data);
                    }
            BufferPool.Shared.Return(h);
        });
        return y.Attach(() =>
        {
            Materialize(query, keys);
            // v's gradient sums over every row: each chunk of sentences sums its own part, then the parts are
            // added in chunk order. The chunks are fixed (not per thread), so 1 and N threads give the same bits.
            int chunkRows = SentenceChunkRows * share, chunks = (b + chunkRows - 1) / chunkRows;
            float[]? dv = v.RequiresGrad ? BufferPool.Shared.Rent(chunks * a) : null;
            dv?.AsSpan(0, chunks * a).Clear();
            RowParallel.For(b, t * s * a, chunkRows, (c, lo, hi) =>
            {
                var de = y.Grad;
                var hbArray = BufferPool.Shared.Rent(a);
                var preArray = BufferPool.Shared.Rent(a);
                var hb = hbArray.AsSpan(0, a);
                var pre = preArray.AsSpan(0, a);
                var qd = query.Data;
                var kd = keys.Data;
                var dvc = dv is null ? default : dv.AsSpan(c * a, a);
                for (int bi = lo; bi < hi; bi++)
                    for (int ti = 0; ti < t; ti++)
                        for (int si = 0; si < s; si++)
                        {
                            int row = (bi * t + ti) * s + si;
                            float g = de[row];
                            if (g == 0f) continue; // every term below is a multiple of g
                            Elementwise.Map(qd.Slice((bi * t + ti) * a, a), kd.Slice((bi / share * s + si) * a, a), hb, new AddTanhOp());
                            if (dv is not null) TensorPrimitives.MultiplyAdd(hb, g, dvc, dvc);
                            // d pre-activation = g · v ⊙ (1 − tanh²)
                            Elementwise.Map(hb, v.Data, pre, new AdditiveScoreGrad(g));
                            if (query.RequiresGrad)
                            {
                                var dq = query.Grad.Slice((bi * t + ti) * a, a);
                                TensorPrimitives.Add(dq, pre, dq);
                            }
                            if (keys.RequiresGrad)
                            {
                                var dk = keys.Grad.Slice((bi / share * s + si) * a, a);
                                TensorPrimitives.Add(dk, pre, dk);
                            }
                        }
                BufferPool.Shared.Return(hbArray);
                BufferPool.Shared.Return(preArray);
            });
            if (dv is not null)
            {
                for (int c = 0; c < chunks; c++) TensorPrimitives.Add(v.Grad, dv.AsSpan(c * a, a), v.Grad);
                BufferPool.Shared.Return(dv);
            }
        }, query, keys, v);
    }

    /// <summary>
    /// Runs body(firstRow, endRow) over chunks of the <paramref name="rows"/> query rows, on several threads
    /// when the work (<paramref name="workPerRow"/> multiply-adds or tanh per row) pays for the hop. Only for
    /// forwards, where every query row writes its own outputs: the bits do not depend on the chunking.
    /// </summary>
    private static void ForQueryRows(int rows, int workPerRow, Action<int, int> body) =>
        RowParallel.For(rows, workPerRow, RowParallel.TwoChunksPerThread(rows), (_, lo, hi) => body(lo, hi));

    /// <summary>Sentences per chunk of a backward: fixed, so a reduction over chunks does not depend on the thread count.</summary>
    private const int SentenceChunkRows = 8;

    /// <summary>
    /// body(firstRow, endRow) over chunks of whole sentences (multiples of <paramref name="share"/> query rows),
    /// for backwards: a sentence's keys and memory receive gradient only from its own query rows, in the same
    /// order as one pass over all rows, so every gradient element gets the same bits.
    /// </summary>
    private static void ForSentences(int rows, int share, int workPerRow, Action<int, int> body) =>
        RowParallel.For(rows, workPerRow, SentenceChunkRows * share, (_, lo, hi) => body(lo, hi));

    /// <summary>Allocates the gradients the chunks of a backward write, before several threads would each try to.</summary>
    private static void Materialize(Tensor x, Tensor y)
    {
        if (x.RequiresGrad) _ = x.Grad;
        if (y.RequiresGrad) _ = y.Grad;
    }

    private static void CheckMask(Tensor? mask, int b, int s, string op)
    {
        if (mask is not null && (mask.Rank != 2 || mask.Shape[0] < b || mask.Shape[1] != s))
            throw new ArgumentException($"attention {op}: mask {ShapeOf.Format(mask.Shape)} does not cover {b} query rows over S = {s}");
    }

    private static (int B, int T, int S, int D) Dims(Tensor query, Tensor keys, int share, string op)
    {
        if (keys.Rank != 3 || query.Rank is not (2 or 3) || share < 1 || query.Shape[0] > (long)keys.Shape[0] * share || query.Shape[^1] != keys.Shape[2])
            throw new ArgumentException($"attention {op}: query {ShapeOf.Format(query.Shape)} does not match keys {ShapeOf.Format(keys.Shape)} [B, S, D]");
        return (query.Shape[0], query.Rank == 3 ? query.Shape[1] : 1, keys.Shape[1], keys.Shape[2]);
    }

    private static int[] ScoreShape(Tensor query, int s) => query.Rank == 3 ? [query.Shape[0], query.Shape[1], s] : [query.Shape[0], s];
}

/// <summary>(h, v) → g · v · (1 − h²): the additive score's gradient at the pre-activation, for one row with score gradient g.</summary>
internal readonly struct AdditiveScoreGrad(float g) : IBinaryOperator
{
    private readonly float _g = g;
    public float Invoke(float h, float v) => _g * v * (1f - h * h);
    public Vector256<float> Invoke(Vector256<float> h, Vector256<float> v) =>
        Vector256.Create(_g) * v * (Vector256<float>.One - h * h);
    public Vector512<float> Invoke(Vector512<float> h, Vector512<float> v) =>
        Vector512.Create(_g) * v * (Vector512<float>.One - h * h);
}

