using Attend.Model;
using Attend.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Decoding;

/// <summary>
/// Decoding a batch as shards of consecutive sentences that run at once, one per core, every kernel of a
/// shard on its own thread. A decoding step is a chain of small products and row-wise passes; splitting each
/// of them across the cores costs a hand-over per op and leaves the row-wise work on one core, while one shard
/// per core keeps both cores on all of it (docs/performance.md, "Decoding"). Every op treats rows
/// independently, so a sentence decodes to the same bits in any shard as in the whole batch (tests).
/// </summary>
internal static class DecodeShards
{
    /// <summary>Fewest decoder rows (sentences × beams) a shard is given: fewer rows make products too thin to be worth a core.</summary>
    public const int MinRows = 64;

    /// <summary>
    /// Most output-layer weights (V × readout size) for which shards are cut by default: each shard streams the
    /// whole output layer every step, where a product split across the cores streams half of it on each. Up to
    /// 2M floats (8 MB, the PyTorch reference's small model has 1M) the cores' shared cache holds it and shards win; the
    /// big one (4.1M) decodes faster unsharded (docs/performance.md, "Decoding").
    /// </summary>
    public const long MaxOutputWeights = 1L << 21;

    /// <summary>
    /// How many shards <paramref name="sentences"/> of <paramref name="rowsPerSentence"/> rows each are cut
    /// into for <paramref name="model"/>: <paramref name="requested"/> when positive (at most one per sentence,
    /// and each with more rows than the GEMM's few-rows route takes, whose sums run in another order),
    /// else one per allowed thread with at least <see cref="MinRows"/> rows each when the output layer is small
    /// enough (<see cref="MaxOutputWeights"/>).
    /// </summary>
    public static int Count(Seq2Seq model, int sentences, int rowsPerSentence, int requested)
    {
        int rows = sentences * rowsPerSentence;
        int n = requested > 0 ? Math.Min(requested, rows / (Gemm.MaxDirectRows + 1))
            : model.Decoder.OutWeight.Length > MaxOutputWeights ? 1
            : Math.Min(Parallelism.MaxThreads, rows / MinRows);
        return Math.Clamp(n, 1, Math.Max(1, sentences));
    }

    /// <summary>
    /// Encodes the batch, then decode(context, state, sentences, shard) for each of its shards (<see cref="Count"/>
    /// of them; the whole batch as one when there is one), with the encoder's W_hh while it encodes, then the
    /// decoder's step weights, held packed for the GEMM (<see cref="PackedWeights"/>) when the products have more
    /// rows than the few-rows route takes (which reads the weights as they are). The parts come back in sentence order.
    /// </summary>
    public static T[] EncodeAndDecode<T>(Seq2Seq model, ReadOnlySpan<int> src, int batch, ReadOnlySpan<int> srcLengths,
        int rowsPerSentence, int requested, Func<DecoderContext, DecoderState, int, Shard, T> decode)
    {
        var (ctx, state) = Encode(model, src, batch, srcLengths);
        using var packed = HoldStepWeights(model, ctx, batch * rowsPerSentence);
        int shards = Count(model, batch, rowsPerSentence, requested);
        if (shards == 1) return [decode(ctx, state, batch, Shard.Whole(batch))];
        return Run(batch, shards, shard => shard.Count == batch
            ? decode(ctx, state, batch, shard)
            : decode(ctx.Sentences(shard.First, shard.Count), state.SelectRows(shard.Sentences()), shard.Count, shard));
    }

    /// <summary>
    /// <see cref="Seq2Seq.Encode"/>, with the encoder's W_hh held packed while it runs when the batch has more
    /// sentences than the GEMM's few-rows route takes (each step of each direction multiplies by its W_hh).
    /// </summary>
    public static (DecoderContext Context, DecoderState State) Encode(Seq2Seq model, ReadOnlySpan<int> src, int batch, ReadOnlySpan<int> srcLengths)
    {
        var encoder = model.Encoder.Rnn;
        using (batch > Gemm.MaxDirectRows ? PackedWeights.Hold(Enumerable.Range(0, encoder.Layers * encoder.Directions).Select(encoder.WeightHh)) : null)
            return model.Encode(src, batch, srcLengths, DecoderPass.Inference);
    }

    /// <summary>The decoder's step weights (<see cref="Decoder.StepWeights"/>) held packed for steps of <paramref name="rows"/> rows, or null when the few-rows route, which reads them as stored, takes that many.</summary>
    public static PackedWeights? HoldStepWeights(Seq2Seq model, DecoderContext context, int rows) =>
        rows > Gemm.MaxDirectRows ? PackedWeights.Hold(model.Decoder.StepWeights(context)) : null;

    /// <summary>
    /// decode(shard) for each shard of <paramref name="sentences"/> (consecutive, sizes differing by at most
    /// one), all at once; a single shard over the whole batch when there is one shard or the threads cannot be had.
    /// </summary>
    public static T[] Run<T>(int sentences, int shards, Func<Shard, T> decode)
    {
        if (shards > 1)
        {
            var progress = new ShardProgress(shards);
            var parts = new Shard[shards];
            for (int i = 0, lo = 0; i < shards; i++)
            {
                int n = sentences / shards + (i < sentences % shards ? 1 : 0);
                parts[i] = new Shard(lo, n, i, progress);
                lo += n;
            }
            var results = new T[shards];
            if (Concurrently.TryEachAtOnce(shards, i =>
                {
                    try { results[i] = decode(parts[i]); }
                    finally { progress.Leave(i); }
                }))
            {
                LastRun = shards;
                return results;
            }
        }
        LastRun = 1;
        return [decode(Shard.Whole(sentences))];
    }

    /// <summary>Per-sentence step limits, when given, must be one per sentence, each in 1..<paramref name="maxSteps"/>.</summary>
    public static void CheckSentenceSteps(IReadOnlyList<int>? limits, int batch, int maxSteps)
    {
        if (limits is null) return;
        if (limits.Count != batch)
            throw new ArgumentException($"SentenceSteps has {limits.Count} limits for a batch of {batch} sentences");
        for (int b = 0; b < batch; b++)
            if (limits[b] < 1 || limits[b] > maxSteps)
                throw new ArgumentException($"SentenceSteps[{b}] is {limits[b]}, outside 1..{maxSteps} (MaxSteps)");
    }

    /// <summary>How many shards the last <see cref="Run"/> on this thread decoded at once (1: the whole batch on one), for tests.</summary>
    [ThreadStatic] internal static int LastRun;
}

/// <summary>
/// Sentences [<see cref="First"/>, First + <see cref="Count"/>) of a batch, decoded by one thread while the other
/// shards decode theirs.
/// </summary>
internal sealed class Shard(int first, int count, int index, ShardProgress? progress)
{
    public int First { get; } = first;
    public int Count { get; } = count;

    /// <summary>All <paramref name="sentences"/> of a batch decoded as one.</summary>
    public static Shard Whole(int sentences) => new(0, sentences, 0, null);

    /// <summary>The batch's indices of this shard's sentences.</summary>
    public int[] Sentences() => Enumerable.Range(First, Count).ToArray();

    /// <summary>
    /// Whether decoding stops after step <paramref name="step"/> when stopping at EOS: when every sentence of the
    /// batch has finished, not only this shard's (<paramref name="finished"/>), so that every shard runs as
    /// many steps as the whole batch would and their results line up. Called once per step by each shard; a
    /// finished shard waits for the others to reach the step.
    /// </summary>
    public bool StopAtEos(int step, bool finished) => progress?.Stop(index, step, finished) ?? finished;
}

/// <summary>What each shard has published: the steps it has completed, and the first step after which all its sentences had finished.</summary>
internal sealed class ShardProgress(int shards)
{
    private readonly int[] _done = new int[shards];
    private readonly int[] _finishedAt = Enumerable.Repeat(int.MaxValue, shards).ToArray();
    private readonly int[] _left = new int[shards];

    public bool Stop(int shard, int step, bool finished)
    {
        if (finished && _finishedAt[shard] == int.MaxValue) Volatile.Write(ref _finishedAt[shard], step);
        Volatile.Write(ref _done[shard], step + 1); // after _finishedAt: a reader that sees the step sees its status
        if (!finished) return false;
        for (int o = 0; o < _done.Length; o++)
        {
            if (o == shard) continue;
            var spin = new SpinWait();
            while (Volatile.Read(ref _done[o]) <= step && Volatile.Read(ref _left[o]) == 0) spin.SpinOnce(sleep1Threshold: -1);
            // A shard that left before this step failed, and the batch's call throws: nothing to wait for.
            if (Volatile.Read(ref _done[o]) > step && Volatile.Read(ref _finishedAt[o]) > step) return false;
        }
        return true;
    }

    /// <summary>Marks <paramref name="shard"/> as gone, so that no other shard waits for it.</summary>
    public void Leave(int shard) => Volatile.Write(ref _left[shard], 1);
}
