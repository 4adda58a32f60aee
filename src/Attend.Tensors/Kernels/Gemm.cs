using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Tensors.Kernels;

/// <summary>Which micro-kernel the blocked GEMM runs; tests force each one, production uses <see cref="Auto"/>.</summary>
internal enum GemmKernel { Auto, Scalar, Vector256, Vector512 }

/// <summary>Which algorithm computes the product: packed and blocked, or streaming B for a few rows.</summary>
internal enum GemmRoute { Auto, Packed, Direct }

/// <summary>
/// C = op(A)·op(B) (or C += … when <c>accumulate</c>), row-major, contiguous operands:
/// op(A) is [m, k] (A stored [m, k], or [k, m] when <c>transA</c>), op(B) is [k, n] (B stored
/// [k, n], or [n, k] when <c>transB</c>), C is [m, n] and must not overlap A or B. Transposes are
/// handled by packing, never by materialising the transposed matrix. <see cref="GemmReference"/> is
/// the naive reference.
/// Routes: a few rows go to <see cref="GemmDirect"/> (no packing); everything else to the packed,
/// register-blocked <see cref="GemmBlocked{TK}"/> with the widest micro-kernel the CPU accelerates
/// (AVX-512 8×32, AVX2+FMA 6×16, scalar 4×4). Large products are split over
/// <see cref="Parallelism.MaxThreads"/> threads. Design and measurements: docs/performance.md.
/// </summary>
internal unsafe class Gemm
{
    /// <summary>Below this many multiply-adds a second thread costs more to wake than it saves.</summary>
    internal const long ParallelMinWork = 1L << 20;

    /// <summary>
    /// Most rows a product takes the direct route with (<see cref="GemmDirect.MaxRows"/>), whose sums run in
    /// another order than the packed route's: with more rows than this, a row of C gets the same bits whatever
    /// the other rows are (how many, and which).
    /// </summary>
    public const int MaxDirectRows = 8;

    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
        int m, int n, int k, bool transA = false, bool transB = false, bool accumulate = false)
        => Multiply(a, b, c, m, n, k, transA, transB, accumulate, GemmKernel.Auto, GemmRoute.Auto, Parallelism.MaxThreads);

    /// <summary>
    /// C = op(A)·op(B) + 1·biasᵀ: <paramref name="bias"/> [n] added to every row, as a linear layer does. Each
    /// thread writes the bias into its own part of C right before its products add to it, so the broadcast
    /// costs no serial pass over C (it was a copy of 2 MB per step before a greedy step's output layer).
    /// </summary>
    public static void MultiplyAddRowBias(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c,
        int m, int n, int k, bool transA = false, bool transB = false)
    {
        if (bias.Length != n) throw new ArgumentException($"Gemm: bias has {bias.Length} elements, needs n = {n}");
        Multiply(a, b, c, m, n, k, transA, transB, false, GemmKernel.Auto, GemmRoute.Auto, Parallelism.MaxThreads, bias);
    }

    /// <summary>
    /// The same product with the kernel, the route and the thread count forced (tests and benchmarks); a
    /// non-empty <paramref name="rowBias"/> [n] is added to every row (with <paramref name="accumulate"/> false).
    /// </summary>
    internal static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
        int m, int n, int k, bool transA, bool transB, bool accumulate, GemmKernel kernel, GemmRoute route, int threads,
        ReadOnlySpan<float> rowBias = default)
    {
        fixed (float* bias = rowBias)
            Multiply(a, b, c, m, n, k, transA, transB, accumulate && rowBias.IsEmpty, kernel, route, threads, rowBias.IsEmpty ? null : bias);
    }

    private static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
        int m, int n, int k, bool transA, bool transB, bool accumulate, GemmKernel kernel, GemmRoute route, int threads, float* bias,
        GemmPrepacked? prepacked = null)
    {
        Check(a, b, c, m, n, k);
        if (m == 0 || n == 0) return;
        if (bias is not null && (k == 0 || n == 1))
        {
            // Nothing to fuse into (or C is computed transposed below): write the bias first, then add.
            for (int r = 0; r < m; r++) new ReadOnlySpan<float>(bias, n).CopyTo(c.Slice(r * n, n));
            bias = null;
            accumulate = true;
        }
        if (k == 0)
        {
            if (!accumulate) c[..(m * n)].Clear();
            return;
        }
        if (kernel == GemmKernel.Auto) kernel = BestKernel;
        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new Job
            {
                A = pa, B = pb, C = pc, M = m, N = n, K = k, TransA = transA, TransB = transB,
                Accumulate = accumulate || bias is not null, Bias = bias, Kernel = kernel
            };
            if (route == GemmRoute.Auto) route = m <= GemmDirect.MaxRows(transB, (long)k * n) || n == 1 ? GemmRoute.Direct : GemmRoute.Packed;
            if (route == GemmRoute.Direct && m > 1 && n == 1)
            {
                // A column of C is also a row of Cᵀ = op(B)ᵀ·op(A)ᵀ, which the direct path streams well.
                job = job with { A = pb, B = pa, M = 1, N = m, TransA = false, TransB = !transA };
            }
            // The weight packed beforehand stands in for op(B) on the packed route, with its kernel.
            if (prepacked is not null && route == GemmRoute.Packed && kernel == prepacked.Kernel)
                job = job with { Prepacked = prepacked.Data, SliceStride = prepacked.SliceStride };
            Plan(ref job, route, threads);
            GemmThreads.Run(&RunPart, &job, job.Parts);
        }
    }

    /// <summary>
    /// C = A·Wᵀ (+ 1·biasᵀ when <paramref name="bias"/> is not empty) with W [n, k] also packed in
    /// <paramref name="packed"/> (<see cref="GemmPrepacked"/>, which must hold W's current values): the packed
    /// route reads its panels instead of packing W again, the same bits; a few rows take the direct route on W.
    /// </summary>
    internal static void MultiplyPrepacked(ReadOnlySpan<float> a, ReadOnlySpan<float> w, GemmPrepacked packed, ReadOnlySpan<float> bias,
        Span<float> c, int m, bool accumulate = false, int threads = 0)
    {
        int n = packed.N, k = packed.K;
        if (!bias.IsEmpty && (bias.Length != n || accumulate)) throw new ArgumentException($"Gemm: bias of {bias.Length} elements (needs n = {n}, and no accumulation)");
        fixed (float* pb = bias)
            Multiply(a, w, c, m, n, k, false, true, accumulate, packed.Kernel, GemmRoute.Auto, threads > 0 ? threads : Parallelism.MaxThreads,
                bias.IsEmpty ? null : pb, packed);
    }

    internal static GemmKernel BestKernel { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmKernel.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmKernel.Vector256
        : GemmKernel.Scalar;

    private struct Job
    {
        public float* A, B, C;
        public float* Bias; // [N], written into each chunk's rows of C before its products add to them
        public float* Prepacked; // op(B)'s panels packed beforehand (GemmPrepacked), or null
        public nint SliceStride;
        public int M, N, K;
        public bool TransA, TransB, Accumulate, Direct, SplitN;
        public GemmKernel Kernel;
        public int Parts, Chunk, Chunks;
        public int Next; // next unclaimed chunk, taken with Interlocked
    }

    // C is cut into column or row chunks that the threads claim one at a time: a thread the OS
    // descheduled (on a shared machine) then holds up at most one chunk, not half the product. Each
    // chunk packs its own panels, so the redundant packing is op(A) when splitting columns and op(B)
    // when splitting rows: split the dimension whose other operand is cheaper to pack again, and keep
    // chunks wide enough that this packing stays small next to the arithmetic.
    private static void Plan(ref Job job, GemmRoute route, int threads)
    {
        job.Direct = route == GemmRoute.Direct;
        long work = (long)job.M * job.N * job.K;
        int parts = work < ParallelMinWork ? 1 : Math.Max(1, threads);
        var (mr, nr, mc) = Tile(job.Kernel);
        if (job.Direct) { job.SplitN = true; nr = 64; }
        else job.SplitN = job.N >= job.M || job.M < 2 * mr;
        int dim = job.SplitN ? job.N : job.M, align = job.SplitN ? nr : mr;
        // Two chunks per thread only when each stays wide (packing op(A) again costs ~1/n of the
        // arithmetic per chunk of n columns); always a multiple of the thread count, so an idle
        // machine still gets an even split.
        int wide = job.Direct ? 256 : job.SplitN ? 1024 : 4 * mc;
        int chunks = dim / (2 * parts) >= wide ? 2 * parts : parts;
        int chunk = (dim + chunks - 1) / chunks;
        chunk = (chunk + align - 1) / align * align;
        job.Chunk = chunk;
        job.Chunks = (dim + chunk - 1) / chunk;
        job.Parts = Math.Min(parts, job.Chunks);
        job.Next = 0;
    }

    private static void RunPart(void* state, int part)
    {
        ref Job job = ref *(Job*)state;
        int index;
        while ((index = Interlocked.Increment(ref job.Next) - 1) < job.Chunks)
        {
            int lo = index * job.Chunk, hi = Math.Min(job.SplitN ? job.N : job.M, lo + job.Chunk);
            RunChunk(ref job, lo, hi);
        }
    }

    private static void RunChunk(ref Job job, int lo, int hi)
    {
        if (job.Bias is not null)
        {
            // This chunk's block of C: columns lo..hi of every row, or rows lo..hi in full.
            int c0 = job.SplitN ? lo : 0, c1 = job.SplitN ? hi : job.N, r0 = job.SplitN ? 0 : lo, r1 = job.SplitN ? job.M : hi;
            var row = new ReadOnlySpan<float>(job.Bias + c0, c1 - c0);
            for (int r = r0; r < r1; r++) row.CopyTo(new Span<float>(job.C + (nint)r * job.N + c0, c1 - c0));
        }
        if (job.Direct)
        {
            GemmDirect.Run(job.A, job.TransA, job.B, job.TransB, job.C, job.M, job.N, job.K, lo, hi,
                job.Accumulate, job.Kernel != GemmKernel.Scalar);
            return;
        }
        nint lda = job.TransA ? job.M : job.K, ldb = job.TransB ? job.K : job.N, ldc = job.N;
        float* a = job.A, b = job.B, c = job.C;
        int m = job.M, n = job.N;
        if (job.SplitN)
        {
            b += job.TransB ? lo * ldb : lo;
            c += lo;
            n = hi - lo;
        }
        else
        {
            a += job.TransA ? lo : lo * lda;
            c += lo * ldc;
            m = hi - lo;
        }
        int col0 = job.SplitN ? lo : 0;
        switch (job.Kernel)
        {
            case GemmKernel.Vector512:
                GemmBlocked<Kernel8x32>.Run(a, lda, job.TransA, b, ldb, job.TransB, c, ldc, m, n, job.K, job.Accumulate, job.Prepacked, job.SliceStride, col0);
                break;
            case GemmKernel.Vector256:
                GemmBlocked<Kernel6x16>.Run(a, lda, job.TransA, b, ldb, job.TransB, c, ldc, m, n, job.K, job.Accumulate, job.Prepacked, job.SliceStride, col0);
                break;
            default:
                GemmBlocked<Kernel4x4>.Run(a, lda, job.TransA, b, ldb, job.TransB, c, ldc, m, n, job.K, job.Accumulate, job.Prepacked, job.SliceStride, col0);
                break;
        }
    }

    private static (int Mr, int Nr, int Mc) Tile(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Vector512 => (Kernel8x32.MR, Kernel8x32.NR, Kernel8x32.MC),
        GemmKernel.Vector256 => (Kernel6x16.MR, Kernel6x16.NR, Kernel6x16.MC),
        _ => (Kernel4x4.MR, Kernel4x4.NR, Kernel4x4.MC),
    };

    internal static void Check(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"Gemm: negative size m={m} n={n} k={k}");
        if (a.Length < (long)m * k) throw new ArgumentException($"Gemm: A has {a.Length} elements, needs m*k = {m}*{k}");
        if (b.Length < (long)k * n) throw new ArgumentException($"Gemm: B has {b.Length} elements, needs k*n = {k}*{n}");
        if (c.Length < (long)m * n) throw new ArgumentException($"Gemm: C has {c.Length} elements, needs m*n = {m}*{n}");
    }
}
