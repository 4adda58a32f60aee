using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Tensors.Kernels;

/// <summary>Which int8 micro-kernel runs; tests and benchmarks force each one, production uses <see cref="Auto"/>.</summary>
internal enum Int8Kernel { Auto, Scalar, Avx2, Avx512BW, AvxVnni }

/// <summary>
/// C [m, n] = x·Wᵀ (+ 1·biasᵀ) in int8: x [m, k] fp32 is quantized per row at run time (<see cref="Int8Quantize"/>,
/// fused with laying it out for the kernel), W [n, k] is an <see cref="Int8Weights"/>, the products sum exactly in
/// int32 and are scaled back: C[i, j] = sx[i]·sw[j]·Σ_k qx[i, k]·qw[j, k] + bias[j]. Kernels (<see cref="Int8Kernel"/>):
/// vpdpbusd on 256 bits where the CPU has AVX-VNNI, else vpmaddubsw + vpmaddwd on 512 bits (AVX-512BW) or 256
/// bits (AVX2), else plain loops; <see cref="Int8GemmReference"/> is the naive reference. The loops: rows in
/// blocks of <see cref="BlockRows"/> (their bytes stay in L2), within a block panel after panel of W (the panel
/// stays in L1 while every row tile of the block reads it). Up to 192 rows (any decoding step) are one block:
/// the weights stream from memory once, a quarter of fp32's bytes; one or two rows (greedy or beam 1 on one
/// sentence) take tiles two panels wide instead, so no tile multiplies mostly repeated rows. Large products split the panels over
/// <see cref="Parallelism.MaxThreads"/> threads.
/// </summary>
internal static unsafe class Int8Gemm
{
    /// <summary>Rows of x per block: 192 × 512 bytes stay in L2 while the panels pass (a multiple of 4, 6 and 8).</summary>
    public const int BlockRows = 192;

    /// <summary>Below this many multiply-adds a second thread costs more to wake than it saves (twice the fp32 figure).</summary>
    public const long ParallelMinWork = 2L << 20;

    /// <summary>The fastest kernel this CPU runs.</summary>
    public static Int8Kernel BestKernel { get; } =
        AvxVnni.IsSupported ? Int8Kernel.AvxVnni
        : Avx512BW.IsSupported && Vector512.IsHardwareAccelerated ? Int8Kernel.Avx512BW
        : Avx2.IsSupported ? Int8Kernel.Avx2
        : Int8Kernel.Scalar;

    /// <summary>Whether <paramref name="kernel"/> can run here.</summary>
    public static bool IsSupported(Int8Kernel kernel) => kernel switch
    {
        Int8Kernel.AvxVnni => AvxVnni.IsSupported,
        Int8Kernel.Avx512BW => Avx512BW.IsSupported,
        Int8Kernel.Avx2 => Avx2.IsSupported,
        _ => true,
    };

    /// <summary>C [m, n] = quantized(x [m, k])·Wᵀ + bias (bias [n] or empty), with the best kernel and every allowed thread.</summary>
    public static void Multiply(ReadOnlySpan<float> x, Int8Weights w, ReadOnlySpan<float> bias, Span<float> c, int m)
        => Multiply(x, w, bias, c, m, Int8Kernel.Auto, Parallelism.MaxThreads);

    /// <summary>The same with the kernel and the thread count forced (tests and benchmarks).</summary>
    public static void Multiply(ReadOnlySpan<float> x, Int8Weights w, ReadOnlySpan<float> bias, Span<float> c, int m,
        Int8Kernel kernel, int threads)
    {
        int n = w.N, k = w.K, kp = w.KPadded;
        if (m < 0) throw new ArgumentException($"Int8Gemm: negative m = {m}");
        if (x.Length < (long)m * k) throw new ArgumentException($"Int8Gemm: x has {x.Length} elements, needs m*k = {m}*{k}");
        if (c.Length < (long)m * n) throw new ArgumentException($"Int8Gemm: C has {c.Length} elements, needs m*n = {m}*{n}");
        if (!bias.IsEmpty && bias.Length != n) throw new ArgumentException($"Int8Gemm: bias has {bias.Length} elements, needs n = {n}");
        if (m == 0) return;
        kernel = Resolve(kernel);
        int levels = Int8Quantize.ActivationLevels(kernel);
        byte[] u = ArrayPool<byte>.Shared.Rent(m * kp);
        float[] sx = ArrayPool<float>.Shared.Rent(m);
        try
        {
            fixed (float* px = x, psx = sx, pc = c, pb = bias)
            fixed (byte* pu = u)
            {
                Int8Quantize.Activations(px, m, k, kp, levels, pu, psx);
                var job = new Job { A = pu, RowScales = psx, C = pc, Bias = bias.IsEmpty ? null : pb };
                Run(ref job, w, m, levels + 1, kernel, threads);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(u);
            ArrayPool<float>.Shared.Return(sx);
        }
    }

    /// <summary>
    /// The exact int32 product Σ_k qx[i, k]·qw[j, k] into <paramref name="c"/> [m, n], from activations already
    /// quantized into bytes u [m, KPadded] = qx + zeroPoint: what the kernels compute before scaling (tests).
    /// </summary>
    public static void MultiplyQuantized(ReadOnlySpan<byte> u, int zeroPoint, Int8Weights w, Span<int> c, int m, Int8Kernel kernel, int threads)
    {
        if (u.Length < (long)m * w.KPadded || c.Length < (long)m * w.N) throw new ArgumentException("Int8Gemm: operand too small");
        if (m == 0) return;
        fixed (byte* pu = u)
        fixed (int* pc = c)
        {
            var job = new Job { A = pu, CInt = pc };
            Run(ref job, w, m, zeroPoint, Resolve(kernel), threads);
        }
    }

    private static Int8Kernel Resolve(Int8Kernel kernel)
    {
        if (kernel == Int8Kernel.Auto) return BestKernel;
        return IsSupported(kernel) ? kernel : throw new PlatformNotSupportedException($"Int8Gemm: kernel {kernel} needs an instruction set this CPU lacks");
    }

    private struct Job
    {
        public byte* A;          // u [M, Lda]
        public float* RowScales; // sx [M] (fp32 output only)
        public float* C;         // [M, N] fp32 output, or null
        public int* CInt;        // [M, N] int32 output (zero point taken off, not scaled), or null
        public float* Bias;      // [N] or null
        public sbyte* W;
        public float* ColScales; // sw [Panels·16]
        public int* Sums;        // Σ_k qw [Panels·16]
        public int M, N, Lda, Groups, PanelBytes, Zero;
        public Int8Kernel Kernel;
        public int Chunk, Chunks, Next; // panels per chunk; chunks claimed with Interlocked
    }

    private static void Run(ref Job job, Int8Weights w, int m, int zero, Int8Kernel kernel, int threads)
    {
        fixed (float* scales = w.Scales)
        fixed (int* sums = w.Sums)
        {
            job.W = w.Data;
            job.ColScales = scales;
            job.Sums = sums;
            job.M = m;
            job.N = w.N;
            job.Lda = w.KPadded;
            job.Groups = w.KPadded / 4;
            job.PanelBytes = w.PanelBytes;
            job.Zero = zero;
            job.Kernel = kernel;
            // Chunks of panels, two per thread when each stays wide enough (8 panels = 128 columns), so a
            // thread the OS descheduled holds up a small part; each chunk reads its own panels only.
            long work = (long)m * w.N * w.K;
            int parts = work < ParallelMinWork ? 1 : Math.Max(1, threads);
            int chunks = w.Panels / (2 * parts) >= 8 ? 2 * parts : parts;
            job.Chunk = (w.Panels + chunks - 1) / chunks;
            job.Chunks = (w.Panels + job.Chunk - 1) / job.Chunk;
            job.Next = 0;
            fixed (Job* p = &job)
                GemmThreads.Run(&RunPart, p, Math.Min(parts, job.Chunks));
        }
    }

    private static void RunPart(void* state, int part)
    {
        ref Job job = ref *(Job*)state;
        int index;
        while ((index = Interlocked.Increment(ref job.Next) - 1) < job.Chunks)
        {
            int panels = (job.N + Int8Weights.PanelWidth - 1) / Int8Weights.PanelWidth;
            RunChunk(ref job, index * job.Chunk, Math.Min(panels, (index + 1) * job.Chunk));
        }
    }

    private static void RunChunk(ref Job job, int p0, int p1)
    {
        int mr = Int8MicroKernels.Rows(job.Kernel);
        int* tile = stackalloc int[8 * Int8Weights.PanelWidth];
        if (job.M <= 2 && job.Kernel != Int8Kernel.Scalar)
        {
            FewRows(ref job, p0, p1, tile);
            return;
        }
        for (int b0 = 0; b0 < job.M; b0 += BlockRows)
        {
            int b1 = Math.Min(job.M, b0 + BlockRows);
            for (int p = p0; p < p1; p++)
            {
                sbyte* panel = job.W + (nint)p * job.PanelBytes;
                for (int r = b0; r < b1; r += mr)
                {
                    int rows = Math.Min(mr, b1 - r);
                    byte* a = job.A + (nint)r * job.Lda;
                    switch (job.Kernel)
                    {
                        // Eight rows where the JIT has 32 registers; six (or fewer) rows, beam 5's, waste less in the six-row tile.
                        case Int8Kernel.AvxVnni when rows > 6: Int8MicroKernels.AvxVnni8x16(a, job.Lda, rows, panel, job.Groups, tile); break;
                        case Int8Kernel.AvxVnni: Int8MicroKernels.AvxVnni6x16(a, job.Lda, rows, panel, job.Groups, tile); break;
                        case Int8Kernel.Avx512BW: Int8MicroKernels.Avx512BW8x16(a, job.Lda, rows, panel, job.Groups, tile); break;
                        case Int8Kernel.Avx2: Int8MicroKernels.Avx2x4x16(a, job.Lda, rows, panel, job.Groups, tile); break;
                        default: Int8MicroKernels.Scalar(a, job.Lda, rows, panel, job.Groups, tile); break;
                    }
                    Store(ref job, tile, Int8Weights.PanelWidth, r, rows, p * Int8Weights.PanelWidth);
                }
            }
        }
    }

    // One or two rows: two panels a tile, so each weight byte is read once and feeds every row.
    private static void FewRows(ref Job job, int p0, int p1, int* tile)
    {
        const int Width = Int8MicroKernels.FewRowPanels * Int8Weights.PanelWidth;
        for (int p = p0; p < p1; p += Int8MicroKernels.FewRowPanels)
        {
            sbyte* w0 = job.W + (nint)p * job.PanelBytes, w1 = p + 1 < p1 ? w0 + job.PanelBytes : w0;
            switch (job.Kernel)
            {
                case Int8Kernel.AvxVnni: Int8MicroKernels.AvxVnni2x32(job.A, job.Lda, job.M, w0, w1, job.Groups, tile); break;
                case Int8Kernel.Avx512BW: Int8MicroKernels.Avx512BW2x32(job.A, job.Lda, job.M, w0, w1, job.Groups, tile); break;
                default: Int8MicroKernels.Avx2x2x32(job.A, job.Lda, job.M, w0, w1, job.Groups, tile); break;
            }
            Store(ref job, tile, Width, 0, job.M, p * Int8Weights.PanelWidth);
            if (p + 1 < p1) Store(ref job, tile + Int8Weights.PanelWidth, Width, 0, job.M, (p + 1) * Int8Weights.PanelWidth);
        }
    }

    // Rows r0..r0+rows of C (row r of the tile at tile + r·tileStride), columns j0..j0+16 (fewer at the last panel): takes the zero point off the raw
    // sums (z·Σ_k qw[j, k]) and scales them, c = sx·sw·(sum − z·Σ qw) + bias, one fused multiply-add.
    private static void Store(ref Job job, int* tile, int tileStride, int r0, int rows, int j0)
    {
        int cols = Math.Min(Int8Weights.PanelWidth, job.N - j0);
        int* sums = job.Sums + j0;
        for (int r = 0; r < rows; r++)
        {
            int* t = tile + r * tileStride;
            nint at = (nint)(r0 + r) * job.N + j0;
            if (job.CInt is not null)
            {
                for (int j = 0; j < cols; j++) job.CInt[at + j] = t[j] - job.Zero * sums[j];
                continue;
            }
            float sx = job.RowScales[r0 + r];
            float* c = job.C + at, sw = job.ColScales + j0, bias = job.Bias is null ? null : job.Bias + j0;
            int jv = 0;
            if (cols == Int8Weights.PanelWidth && Vector256.IsHardwareAccelerated)
            {
                var z = Vector256.Create(job.Zero);
                var s = Vector256.Create(sx);
                for (; jv < Int8Weights.PanelWidth; jv += 8)
                {
                    var v = Vector256.ConvertToSingle(Vector256.Load(t + jv) - z * Vector256.Load(sums + jv));
                    var b = bias is null ? Vector256<float>.Zero : Vector256.Load(bias + jv);
                    Vector256.FusedMultiplyAdd(v, s * Vector256.Load(sw + jv), b).Store(c + jv);
                }
            }
            for (int j = jv; j < cols; j++)
                c[j] = MathF.FusedMultiplyAdd(t[j] - job.Zero * sums[j], sx * sw[j], bias is null ? 0 : bias[j]);
        }
    }
}
