using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Tensors.Kernels;

/// <summary>Which bf16 kernel runs; tests force each one, production uses <see cref="Auto"/>.</summary>
internal enum Bf16Kernel { Auto, Scalar, Avx2 }

/// <summary>
/// C [m, n] = x·Wᵀ (+ 1·biasᵀ) with W [n, k] a <see cref="Bf16Weights"/>, in fp32: x [m, k] stays fp32, each
/// weight is widened (a zero-extension and a shift) right after its load. Dot products, four rows of W by two
/// rows of x a sweep (eight sums sharing the loads); a group of four rows of W is read from memory once and from
/// L1 for the other rows of x, so a few rows (beam search on one sentence) stream the weights once at half of
/// fp32's bytes. Columns are split over <see cref="Parallelism.MaxThreads"/> threads for large products.
/// </summary>
internal static unsafe class Bf16Gemm
{
    public static Bf16Kernel BestKernel { get; } = Avx2.IsSupported && Fma.IsSupported ? Bf16Kernel.Avx2 : Bf16Kernel.Scalar;

    public static bool IsSupported(Bf16Kernel kernel) => kernel != Bf16Kernel.Avx2 || (Avx2.IsSupported && Fma.IsSupported);

    /// <summary>C [m, n] = x [m, k]·Wᵀ + bias (bias [n] or empty), with the best kernel and every allowed thread.</summary>
    public static void Multiply(ReadOnlySpan<float> x, Bf16Weights w, ReadOnlySpan<float> bias, Span<float> c, int m)
        => Multiply(x, w, bias, c, m, Bf16Kernel.Auto, Parallelism.MaxThreads);

    /// <summary>The same with the kernel and the thread count forced (tests and benchmarks).</summary>
    public static void Multiply(ReadOnlySpan<float> x, Bf16Weights w, ReadOnlySpan<float> bias, Span<float> c, int m, Bf16Kernel kernel, int threads)
    {
        int n = w.N, k = w.K;
        if (m < 0) throw new ArgumentException($"Bf16Gemm: negative m = {m}");
        if (x.Length < (long)m * k) throw new ArgumentException($"Bf16Gemm: x has {x.Length} elements, needs m*k = {m}*{k}");
        if (c.Length < (long)m * n) throw new ArgumentException($"Bf16Gemm: C has {c.Length} elements, needs m*n = {m}*{n}");
        if (!bias.IsEmpty && bias.Length != n) throw new ArgumentException($"Bf16Gemm: bias has {bias.Length} elements, needs n = {n}");
        if (m == 0) return;
        if (kernel == Bf16Kernel.Auto) kernel = BestKernel;
        if (!IsSupported(kernel)) throw new PlatformNotSupportedException($"Bf16Gemm: kernel {kernel} needs AVX2 and FMA");
        fixed (float* px = x, pc = c, pb = bias)
        fixed (ushort* pw = w.Bits)
        {
            long work = (long)m * n * k;
            int parts = work < Int8Gemm.ParallelMinWork ? 1 : Math.Max(1, threads);
            // Chunks of columns, a multiple of 4 (one sweep), two per thread when each keeps 256 columns.
            int chunks = n / (2 * parts) >= 256 ? 2 * parts : parts;
            int chunk = ((n + chunks - 1) / chunks + 3) & ~3;
            var job = new Job
            {
                X = px, W = pw, C = pc, Bias = bias.IsEmpty ? null : pb, M = m, N = n, K = k,
                Avx2 = kernel == Bf16Kernel.Avx2, Chunk = chunk, Chunks = (n + chunk - 1) / chunk
            };
            GemmThreads.Run(&RunPart, &job, Math.Min(parts, job.Chunks));
        }
    }

    private struct Job
    {
        public float* X, C, Bias;
        public ushort* W;
        public int M, N, K, Chunk, Chunks, Next;
        public bool Avx2;
    }

    private static void RunPart(void* state, int part)
    {
        ref Job job = ref *(Job*)state;
        int index;
        while ((index = Interlocked.Increment(ref job.Next) - 1) < job.Chunks)
        {
            int j0 = index * job.Chunk, j1 = Math.Min(job.N, j0 + job.Chunk);
            for (int j = j0; j < j1; j += 4)
            {
                int cols = Math.Min(4, j1 - j);
                for (int r = 0; r < job.M; r += 2)
                {
                    int rows = Math.Min(2, job.M - r);
                    if (job.Avx2) Sweep(ref job, r, rows, j, cols);
                    else SweepScalar(ref job, r, rows, j, cols);
                }
            }
        }
    }

    // Rows r..r+rows (1 or 2) of x dotted with rows j..j+cols (1 to 4) of W; missing rows repeat the last one
    // and only the real sums are stored.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sweep(ref Job job, int r, int rows, int j, int cols)
    {
        int k = job.K;
        float* x0 = job.X + (nint)r * k, x1 = x0 + (rows > 1 ? k : 0);
        ushort* w0 = job.W + (nint)j * k;
        ushort* w1 = w0 + (cols > 1 ? k : 0), w2 = w0 + (cols > 2 ? 2 * k : 0), w3 = w0 + (cols > 3 ? 3 * k : 0);
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        int p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var a = Vector256.Load(x0 + p);
            var b = Vector256.Load(x1 + p);
            var v = Widen(w0 + p);
            s00 = Fma.MultiplyAdd(a, v, s00); s10 = Fma.MultiplyAdd(b, v, s10);
            v = Widen(w1 + p);
            s01 = Fma.MultiplyAdd(a, v, s01); s11 = Fma.MultiplyAdd(b, v, s11);
            v = Widen(w2 + p);
            s02 = Fma.MultiplyAdd(a, v, s02); s12 = Fma.MultiplyAdd(b, v, s12);
            v = Widen(w3 + p);
            s03 = Fma.MultiplyAdd(a, v, s03); s13 = Fma.MultiplyAdd(b, v, s13);
        }
        float* d = stackalloc float[8];
        d[0] = Vector256.Sum(s00); d[1] = Vector256.Sum(s01); d[2] = Vector256.Sum(s02); d[3] = Vector256.Sum(s03);
        d[4] = Vector256.Sum(s10); d[5] = Vector256.Sum(s11); d[6] = Vector256.Sum(s12); d[7] = Vector256.Sum(s13);
        ushort** ws = stackalloc ushort*[4] { w0, w1, w2, w3 };
        for (int i = 0; i < rows; i++)
        {
            float* xi = i == 0 ? x0 : x1;
            for (int q = 0; q < cols; q++)
            {
                float s = d[4 * i + q];
                for (int t = p; t < k; t++) s += xi[t] * Bf16Weights.Widen(ws[q][t]);
                Put(ref job, r + i, j + q, s);
            }
        }
    }

    private static void SweepScalar(ref Job job, int r, int rows, int j, int cols)
    {
        int k = job.K;
        for (int i = 0; i < rows; i++)
            for (int q = 0; q < cols; q++)
            {
                float* xi = job.X + (nint)(r + i) * k;
                ushort* wq = job.W + (nint)(j + q) * k;
                float s = 0;
                for (int t = 0; t < k; t++) s += xi[t] * Bf16Weights.Widen(wq[t]);
                Put(ref job, r + i, j + q, s);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(ref Job job, int row, int col, float sum)
        => job.C[(nint)row * job.N + col] = job.Bias is null ? sum : sum + job.Bias[col];

    // Eight bf16 values to fp32: zero-extend to 32 bits, shift into the upper half.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Widen(ushort* p) => Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(p), 16).AsSingle();
}
