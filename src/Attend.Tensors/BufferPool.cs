using System.Numerics;

namespace Attend.Tensors;

/// <summary>
/// A thread-safe pool of float arrays in size classes of four per octave (at most ~19% slack), so
/// batches of varying length still hit the pool; when a class is empty, a free array up to one octave
/// larger is handed out before a new one is allocated. Unlike ArrayPool it has no size cap: activations of a
/// big model are tens of megabytes and are exactly what must be reused.
/// </summary>
internal sealed class BufferPool
{
    /// <summary>The pool scoped tensors use.</summary>
    public static BufferPool Shared { get; } = new();

    private const int SubBuckets = 4;
    private readonly Stack<float[]>[] _buckets = new Stack<float[]>[32 * SubBuckets];
    private readonly Lock _lock = new();
    private long _rented, _allocated;
    private long _allocatedFloats, _liveFloats, _peakLiveFloats; // under _lock

    /// <summary>An empty pool; buffers are allocated on first rent and kept for reuse after return.</summary>
    public BufferPool()
    {
        for (int i = 0; i < _buckets.Length; i++) _buckets[i] = new Stack<float[]>();
    }

    /// <summary>Buffers handed out over the pool's life.</summary>
    public long Rents => Interlocked.Read(ref _rented);

    /// <summary>Buffers that had to be newly allocated (misses).</summary>
    public long Allocations => Interlocked.Read(ref _allocated);

    /// <summary>Floats in every array this pool has allocated (pooled or handed out), since it was made or trimmed.</summary>
    public long AllocatedBytes { get { lock (_lock) return _allocatedFloats * sizeof(float); } }

    /// <summary>Floats currently handed out and not yet returned.</summary>
    public long LiveBytes { get { lock (_lock) return _liveFloats * sizeof(float); } }

    /// <summary>The most bytes handed out at once since the last <see cref="ResetPeak"/>.</summary>
    public long PeakLiveBytes { get { lock (_lock) return _peakLiveFloats * sizeof(float); } }

    /// <summary>Starts a new peak of <see cref="PeakLiveBytes"/> from what is handed out now.</summary>
    public void ResetPeak() { lock (_lock) _peakLiveFloats = _liveFloats; }

    /// <summary>An array of at least <paramref name="length"/> floats, contents unspecified.</summary>
    public float[] Rent(int length)
    {
        if (length == 0) return [];
        int b = Bucket(length, out int capacity);
        Interlocked.Increment(ref _rented);
        lock (_lock)
        {
            // Its own class first, then up to one octave larger: a batch of another length (or a decoder
            // step over fewer sentences) reuses a slightly larger free buffer instead of growing the pool.
            for (int c = b; c <= Math.Min(b + SubBuckets, _buckets.Length - 1); c++)
                if (_buckets[c].TryPop(out var a))
                {
                    Handed(a.Length);
                    return a;
                }
            _allocatedFloats += capacity;
            Handed(capacity);
        }
        Interlocked.Increment(ref _allocated);
        return GC.AllocateUninitializedArray<float>(capacity);
    }

    /// <summary>Gives a rented array back.</summary>
    public void Return(float[] array)
    {
        if (array.Length == 0) return;
        int b = Bucket(array.Length, out int capacity);
        if (capacity != array.Length) return; // not one of ours
        lock (_lock)
        {
            _buckets[b].Push(array);
            _liveFloats -= array.Length;
        }
    }

    private void Handed(long floats)
    {
        _liveFloats += floats;
        if (_liveFloats > _peakLiveFloats) _peakLiveFloats = _liveFloats;
    }

    /// <summary>Drops every pooled array (memory goes back to the GC), the GEMM's spare packed weights included.</summary>
    public void Trim()
    {
        PackedWeights.ReleaseSpares();
        lock (_lock)
        {
            foreach (var s in _buckets)
            {
                foreach (var a in s) _allocatedFloats -= a.Length;
                s.Clear();
            }
        }
    }

    /// <summary>
    /// <see cref="Trim"/>, then a full compacting collection that gives the freed memory back to the system
    /// (<see cref="GCCollectionMode.Aggressive"/>, large object heap included), so the dropped arrays leave the
    /// process now: for the end of a phase whose buffers the next will not reuse. The pool holds every size a
    /// training step ever asked for (sized by the longest batches), and decoding asks for other sizes; a
    /// process that trains and then translates would otherwise hold both. A plain collection frees the arrays
    /// but keeps their memory committed (measured on the big Luong-dot reference config: resident 331 MB after it,
    /// 206 MB after this). Costs one compaction of the live heap (the parameters and moments).
    /// </summary>
    public void Release()
    {
        Trim();
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>The size class of a length, and that class's capacity.</summary>
    internal static int Bucket(int length, out int capacity)
    {
        if (length <= 16) { capacity = 16; return 0; }
        int octave = 31 - BitOperations.LeadingZeroCount((uint)(length - 1)); // 2^octave < length <= 2^(octave+1)
        long lo = 1L << octave;
        long step = lo / SubBuckets;
        long sub = (length - lo + step - 1) / step; // 1..SubBuckets
        capacity = (int)Math.Min(int.MaxValue, lo + sub * step);
        return octave * SubBuckets + (int)sub - 1;
    }
}
