namespace Attend.Model;

/// <summary>
/// A padded batch of sentence pairs, row-major: Source [B, S] with SourceLengths [B], TargetIn [B, T]
/// (BOS y1 … y_{n−1}) and TargetOut [B, T] (y1 … y_n EOS), padded with the pad id.
/// </summary>
internal sealed record Seq2SeqBatch(int Batch, int SourceLength, int TargetLength,
    int[] Source, int[] SourceLengths, int[] TargetIn, int[] TargetOut)
{
    /// <summary>Pads sentences (ids without BOS/EOS) into a batch.</summary>
    public static Seq2SeqBatch FromPairs(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets, int pad = 0, int bos = 1, int eos = 2)
    {
        if (sources.Count != targets.Count) throw new ArgumentException($"{sources.Count} sources but {targets.Count} targets");
        int b = sources.Count;
        int s = sources.Max(x => x.Length), t = targets.Max(x => x.Length) + 1;
        var src = new int[b * s];
        var lens = new int[b];
        var tin = new int[b * t];
        var tout = new int[b * t];
        Array.Fill(src, pad);
        Array.Fill(tin, pad);
        Array.Fill(tout, pad);
        for (int i = 0; i < b; i++)
        {
            sources[i].CopyTo(src, i * s);
            lens[i] = sources[i].Length;
            tin[i * t] = bos;
            targets[i].CopyTo(tin, i * t + 1);
            targets[i].CopyTo(tout, i * t);
            tout[i * t + targets[i].Length] = eos;
        }
        return new Seq2SeqBatch(b, s, t, src, lens, tin, tout);
    }

    /// <summary>
    /// The same sentence pairs with the rows in order of decreasing target length (1 + the position of the
    /// last non-pad target; ties keep their order); the batch itself when already in that order.
    /// </summary>
    public Seq2SeqBatch SortedByTargetLength(int pad = 0)
    {
        int t = TargetLength;
        var lengths = DecodingLengths(TargetOut, Batch, pad);
        if (IsNonIncreasing(lengths)) return this;
        var order = Enumerable.Range(0, Batch).OrderByDescending(b => lengths[b]).ToArray(); // stable
        int s = SourceLength;
        var src = new int[Source.Length];
        var tin = new int[TargetIn.Length];
        var tout = new int[TargetOut.Length];
        var lens = new int[Batch];
        for (int i = 0; i < Batch; i++)
        {
            int b = order[i];
            Source.AsSpan(b * s, s).CopyTo(src.AsSpan(i * s));
            TargetIn.AsSpan(b * t, t).CopyTo(tin.AsSpan(i * t));
            TargetOut.AsSpan(b * t, t).CopyTo(tout.AsSpan(i * t));
            lens[i] = SourceLengths[b];
        }
        return this with { Source = src, SourceLengths = lens, TargetIn = tin, TargetOut = tout };
    }

    /// <summary>Per row of targets [B, T], 1 + the position of its last non-pad id: the steps a decoder must run for it.</summary>
    public static int[] DecodingLengths(ReadOnlySpan<int> targets, int batch, int pad)
    {
        int t = targets.Length / Math.Max(1, batch);
        var lengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            int len = t;
            while (len > 0 && targets[b * t + len - 1] == pad) len--;
            lengths[b] = len;
        }
        return lengths;
    }

    /// <summary>Whether no entry is larger than the one before it.</summary>
    public static bool IsNonIncreasing(ReadOnlySpan<int> xs)
    {
        for (int i = 1; i < xs.Length; i++) if (xs[i] > xs[i - 1]) return false;
        return true;
    }

    /// <summary>Throws unless the arrays have the sizes the dimensions say.</summary>
    public Seq2SeqBatch Validate()
    {
        if (Source.Length != Batch * SourceLength) throw new ArgumentException($"Source has {Source.Length} ids, expected [{Batch}, {SourceLength}]");
        if (SourceLengths.Length != Batch) throw new ArgumentException($"SourceLengths has {SourceLengths.Length} entries, expected {Batch}");
        if (TargetIn.Length != Batch * TargetLength || TargetOut.Length != Batch * TargetLength)
            throw new ArgumentException($"TargetIn/TargetOut have {TargetIn.Length}/{TargetOut.Length} ids, expected [{Batch}, {TargetLength}]");
        for (int b = 0; b < Batch; b++)
            if (SourceLengths[b] < 1 || SourceLengths[b] > SourceLength)
                throw new ArgumentException($"SourceLengths[{b}] = {SourceLengths[b]} is outside 1..{SourceLength}: attention needs at least one real source token");
        return this;
    }
}
