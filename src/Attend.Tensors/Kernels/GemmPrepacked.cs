using System.Runtime.CompilerServices;

namespace Attend.Tensors.Kernels;

/// <summary>
/// A weight W [n, k] packed once as op(B) = Wᵀ in the micro-panels the packed GEMM reads, for products x·Wᵀ
/// repeated with the same weight (every step of a decoding batch): the packed route otherwise packs its B
/// again at every call, which for a few dozen rows of x costs about a third of the product (on
/// [64, 512]·[8000, 512]ᵀ, one thread: 3.5 ms a product, ~1.1 ms of it packing). Panels are laid out slice
/// by slice of <c>KC</c> rows of op(B), within a slice panel after panel, exactly as <see cref="GemmPack.B"/>
/// writes a block, so a product reads any column block of it in place and gets the same bits as unpacked.
/// </summary>
internal sealed unsafe class GemmPrepacked
{
    private readonly float[] _buffer; // pinned (never moves), 64-byte aligned from _offset
    private readonly int _offset;

    public int N { get; }
    public int K { get; }
    public GemmKernel Kernel { get; }

    /// <summary>Floats between the starts of two <c>KC</c> slices.</summary>
    internal nint SliceStride { get; }

    public GemmPrepacked(int n, int k, GemmKernel kernel = GemmKernel.Auto)
    {
        if (n <= 0 || k <= 0) throw new ArgumentException($"GemmPrepacked: empty weight [{n}, {k}]");
        Kernel = kernel == GemmKernel.Auto ? Gemm.BestKernel : kernel;
        N = n;
        K = k;
        var (kc, nr) = Tile(Kernel);
        SliceStride = (nint)(n + nr - 1) / nr * nr * kc;
        long length = SliceStride * ((k + kc - 1) / kc);
        if (length > Array.MaxLength - 16) throw new ArgumentException($"GemmPrepacked: weight [{n}, {k}] is too large to pack");
        _buffer = GC.AllocateUninitializedArray<float>((int)length + 16, pinned: true);
        nint p = (nint)Unsafe.AsPointer(ref _buffer[0]);
        _offset = (int)((((p + 63) & ~(nint)63) - p) / sizeof(float));
    }

    /// <summary>The packed panels' start.</summary>
    internal float* Data => (float*)Unsafe.AsPointer(ref _buffer[_offset]);

    /// <summary>Packs <paramref name="weight"/> [N, K] (row-major) into the panels, overwriting them.</summary>
    public void Pack(ReadOnlySpan<float> weight)
    {
        if (weight.Length < (long)N * K) throw new ArgumentException($"GemmPrepacked: weight has {weight.Length} elements, needs {N}*{K}");
        var (kc, nr) = Tile(Kernel);
        fixed (float* w = weight)
            for (int pc = 0, s = 0; pc < K; pc += kc, s++)
                GemmPack.B(w + pc, K, transB: true, Math.Min(kc, K - pc), N, nr, Data + s * SliceStride);
    }

    // Packed copies come back here when their weight's last hold ends (a decoding batch), so the next batch packs
    // into memory already touched instead of a fresh pinned array that only a gen-2 collection would free.
    private static readonly List<GemmPrepacked> Spare = [];
    private const int MaxSpare = 16; // a decoder's step weights: up to ~10 for two layers

    /// <summary>Drops the spare copies (memory back to the GC): when decoding is over for a while, as between validations in training.</summary>
    public static void ReleaseSpares()
    {
        lock (Spare) Spare.Clear();
    }

    /// <summary>A packed copy for a [n, k] weight with the best kernel: a spare one of that size, or a new one.</summary>
    public static GemmPrepacked Rent(int n, int k)
    {
        lock (Spare)
        {
            int i = Spare.FindIndex(p => p.N == n && p.K == k && p.Kernel == Gemm.BestKernel);
            if (i >= 0)
            {
                var found = Spare[i];
                Spare.RemoveAt(i);
                return found;
            }
        }
        return new GemmPrepacked(n, k);
    }

    /// <summary>Keeps <paramref name="packed"/> for a later <see cref="Rent"/> (the oldest spare goes when there are too many).</summary>
    public static void Return(GemmPrepacked packed)
    {
        lock (Spare)
        {
            if (Spare.Count == MaxSpare) Spare.RemoveAt(0);
            Spare.Add(packed);
        }
    }

    internal static (int Kc, int Nr) Tile(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Vector512 => (Kernel8x32.KC, Kernel8x32.NR),
        GemmKernel.Vector256 => (Kernel6x16.KC, Kernel6x16.NR),
        _ => (Kernel4x4.KC, Kernel4x4.NR),
    };
}
