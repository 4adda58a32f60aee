using Attend.Tensors;

namespace Attend.Attention;

/// <summary>
/// The composed (op-by-op) forms of the attention products: the reference that the fused
/// <see cref="AttentionOps"/> are tested against.
/// </summary>
internal static class AttentionMath
{
    /// <summary>weights [B, S] or [B, T, S] · memory [B, S, Dm] → context [B, Dm] or [B, T, Dm].</summary>
    public static Tensor Context(Tensor weights, Tensor memory)
    {
        int b = memory.Shape[0], s = memory.Shape[1], dm = memory.Shape[2];
        if (weights.Rank == 3) return Ops.MatMul(weights, memory);
        return Ops.Reshape(Ops.MatMul(Ops.Reshape(weights, b, 1, s), memory), b, dm);
    }

    /// <summary>Bilinear score q · k_j: q [B, D] or [B, T, D], keys [B, S, D] → [B, S] or [B, T, S].</summary>
    public static Tensor Dot(Tensor query, Tensor keys)
    {
        int b = keys.Shape[0], s = keys.Shape[1], d = keys.Shape[2];
        CheckQuery(query, b, d);
        if (query.Rank == 3) return Ops.MatMul(query, keys, transB: true);
        return Ops.Reshape(Ops.MatMul(Ops.Reshape(query, b, 1, d), keys, transB: true), b, s);
    }

    /// <summary>
    /// Additive score vᵀ tanh(q'_t + k_j): projected query q' [B, A] or [B, T, A], keys [B, S, A], v [1, A]
    /// → [B, S] or [B, T, S]. Both sides are expanded to [B·T·S, A] by row gathers (whose backward sums).
    /// </summary>
    public static Tensor Additive(Tensor projectedQuery, Tensor keys, Tensor v)
    {
        int b = keys.Shape[0], s = keys.Shape[1], a = keys.Shape[2];
        CheckQuery(projectedQuery, b, a);
        int t = projectedQuery.Rank == 3 ? projectedQuery.Shape[1] : 1;
        var qRows = new int[b * t * s];
        var kRows = new int[b * t * s];
        for (int i = 0, bi = 0; bi < b; bi++)
            for (int ti = 0; ti < t; ti++)
                for (int si = 0; si < s; si++, i++)
                {
                    qRows[i] = bi * t + ti;
                    kRows[i] = bi * s + si;
                }
        var q = Ops.IndexSelect(Ops.Reshape(projectedQuery, b * t, a), qRows);
        var k = Ops.IndexSelect(Ops.Reshape(keys, b * s, a), kRows);
        var e = Ops.Linear(Ops.Tanh(Ops.Add(q, k)), v);
        return projectedQuery.Rank == 3 ? Ops.Reshape(e, b, t, s) : Ops.Reshape(e, b, s);
    }

    private static void CheckQuery(Tensor query, int b, int d)
    {
        if (query.Rank is not (2 or 3) || query.Shape[0] != b || query.Shape[^1] != d)
            throw new ArgumentException($"attention: query {ShapeOf.Format(query.Shape)} does not match keys [B={b}, S, {d}]");
    }
}
