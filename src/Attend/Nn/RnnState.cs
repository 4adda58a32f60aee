using Attend.Tensors;

namespace Attend.Nn;

/// <summary>Which recurrent cell a layer uses.</summary>
public enum RnnKind
{
    /// <summary>Gated recurrent unit (Cho et al. 2014), PyTorch's gate order r, z, n.</summary>
    Gru,
    /// <summary>Long short-term memory, PyTorch's gate order i, f, g, o.</summary>
    Lstm,
}

/// <summary>
/// The recurrent state of a stack, one [B, H] tensor per (layer, direction) in PyTorch's order
/// (index = layer·D + direction, direction 1 = backward). <see cref="C"/> is the LSTM cell state, null for GRU.
/// States are values passed in and returned: layers never keep them.
/// </summary>
internal sealed record RnnState(IReadOnlyList<Tensor> H, IReadOnlyList<Tensor>? C)
{
    /// <summary>The last entry of <see cref="H"/> (top layer, last direction).</summary>
    public Tensor Top => H[^1];

    /// <summary>Zero state for <paramref name="count"/> (layer, direction) slots.</summary>
    public static RnnState Zeros(RnnKind kind, int count, int batch, int hidden)
    {
        var h = new Tensor[count];
        var c = kind == RnnKind.Lstm ? new Tensor[count] : null;
        for (int i = 0; i < count; i++)
        {
            h[i] = Tensor.Zeros(batch, hidden);
            if (c is not null) c[i] = Tensor.Zeros(batch, hidden);
        }
        return new RnnState(h, c);
    }

    /// <summary>Rows <paramref name="rows"/> of every tensor (beam search reorders hypotheses with this).</summary>
    public RnnState SelectRows(ReadOnlySpan<int> rows)
    {
        var h = new Tensor[H.Count];
        for (int i = 0; i < h.Length; i++) h[i] = Ops.IndexSelect(H[i], rows);
        Tensor[]? c = null;
        if (C is not null)
        {
            c = new Tensor[C.Count];
            for (int i = 0; i < c.Length; i++) c[i] = Ops.IndexSelect(C[i], rows);
        }
        return new RnnState(h, c);
    }

    /// <summary>The first <paramref name="n"/> rows of every tensor (the sentences of a length-sorted batch still running).</summary>
    public RnnState FirstRows(int n)
    {
        var h = new Tensor[H.Count];
        for (int i = 0; i < h.Length; i++) h[i] = Ops.Slice(H[i], 0, 0, n);
        Tensor[]? c = null;
        if (C is not null)
        {
            c = new Tensor[C.Count];
            for (int i = 0; i < c.Length; i++) c[i] = Ops.Slice(C[i], 0, 0, n);
        }
        return new RnnState(h, c);
    }

    /// <summary>Every tensor handed to the enclosing scope (<see cref="TensorScope.Promote"/>): a decoding step keeps its state this way.</summary>
    public RnnState PromoteToOuterScope()
    {
        foreach (var h in H) TensorScope.Promote(h);
        if (C is not null) foreach (var c in C) TensorScope.Promote(c);
        return this;
    }

    /// <summary>
    /// Returns the values of every tensor to the pool now (<see cref="Tensor.FreeValues"/>), for a decoding step's
    /// promoted state once the next step has replaced it: otherwise every step's state stays in the decoding
    /// scope to its end (40 steps of [320, 512] per layer in a batched beam, 26 MB). Only for a state no graph
    /// and nothing else reads.
    /// </summary>
    public void FreeValues()
    {
        foreach (var h in H) h.FreeValues();
        if (C is not null) foreach (var c in C) c.FreeValues();
    }
}
