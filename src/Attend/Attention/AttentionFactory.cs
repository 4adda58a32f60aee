using Attend.Nn;

namespace Attend.Attention;

/// <summary>Builds the score function of a kind; <see cref="AttentionKind.None"/> has none (null).</summary>
internal static class AttentionFactory
{
    /// <param name="kind">the score function (None: no attention, the result is null)</param>
    /// <param name="queryDim">decoder state size Dq</param>
    /// <param name="memoryDim">memory size Dm</param>
    /// <param name="attentionDim">hidden size A of the additive scores</param>
    public static Module? Create(AttentionKind kind, int queryDim, int memoryDim, int attentionDim) => kind switch
    {
        AttentionKind.None => null,
        AttentionKind.Bahdanau => new BahdanauAttention(queryDim, memoryDim, attentionDim),
        AttentionKind.LuongDot => memoryDim == queryDim ? new LuongDotAttention()
            : throw new ArgumentException($"LuongDot attention needs memory size {memoryDim} = decoder hidden size {queryDim} (use MemoryKind.Sum)"),
        AttentionKind.LuongGeneral => new LuongGeneralAttention(queryDim, memoryDim),
        AttentionKind.LuongConcat => new LuongConcatAttention(queryDim, memoryDim, attentionDim),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown attention kind"),
    };
}
