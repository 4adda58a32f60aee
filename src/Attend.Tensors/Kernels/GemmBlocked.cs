using System.Runtime.CompilerServices;

namespace Attend.Tensors.Kernels;

/// <summary>
/// The GotoBLAS/BLIS loop nest on one thread: for each NC-wide column block and KC-deep slice, pack
/// op(B) [KC, NC] (L3); for each MC-tall row block pack op(A) [MC, KC] (L2); then sweep micro-panels
/// of B (L1) against micro-panels of A with the register-tile micro-kernel <typeparamref name="TK"/>.
/// Operands are row-major with explicit leading dimensions so a thread can own a sub-block of C.
/// </summary>
internal static unsafe class GemmBlocked<TK> where TK : struct, IGemmMicroKernel
{
    /// <remarks>
    /// With <paramref name="prepacked"/> (a <see cref="GemmPrepacked"/>'s panels, slices <paramref name="sliceStride"/>
    /// apart), op(B) is read from there, columns from <paramref name="col0"/> on, instead of packed from b.
    /// </remarks>
    // Kernels are fully optimised from the first call: tiering would run the first products at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, nint lda, bool transA, float* b, nint ldb, bool transB,
        float* c, nint ldc, int m, int n, int k, bool accumulate, float* prepacked = null, nint sliceStride = 0, int col0 = 0)
    {
        int mr = TK.MR, nr = TK.NR;
        int kcMax = Math.Min(TK.KC, k), mcMax = Math.Min(TK.MC, m), ncMax = Math.Min(TK.NC, n);
        float* packA = GemmBuffers.A(RoundUp(mcMax, mr) * kcMax);
        float* packB = GemmBuffers.B(RoundUp(ncMax, nr) * kcMax);
        float* edge = stackalloc float[mr * nr];

        if (m <= TK.MC)
        {
            // One row block: pack each B micro-panel right before its few uses, so it goes to L1 and
            // is consumed there instead of making a round trip through L3 as part of a packed block.
            for (int pc = 0, slice = 0; pc < k; pc += TK.KC, slice++)
            {
                int kc = Math.Min(TK.KC, k - pc);
                bool add = accumulate || pc > 0;
                GemmPack.A(transA ? a + pc * lda : a + pc, lda, transA, m, kc, mr, packA);
                for (int jr = 0; jr < n; jr += nr)
                {
                    int cols = Math.Min(nr, n - jr);
                    float* bp = packB;
                    if (prepacked is not null) bp = prepacked + slice * sliceStride + (nint)(col0 + jr) * kc;
                    else GemmPack.B(transB ? b + jr * ldb + pc : b + pc * ldb + jr, ldb, transB, kc, cols, nr, packB);
                    Macro(kc, m, cols, packA, bp, c + jr, ldc, add, edge);
                }
            }
            return;
        }

        for (int jc = 0; jc < n; jc += TK.NC)
        {
            int nc = Math.Min(TK.NC, n - jc);
            for (int pc = 0, slice = 0; pc < k; pc += TK.KC, slice++)
            {
                int kc = Math.Min(TK.KC, k - pc);
                // The first k slice writes C (unless accumulating); later slices add to it.
                bool add = accumulate || pc > 0;
                float* bp = packB;
                if (prepacked is not null) bp = prepacked + slice * sliceStride + (nint)(col0 + jc) * kc;
                else GemmPack.B(transB ? b + jc * ldb + pc : b + pc * ldb + jc, ldb, transB, kc, nc, nr, packB);
                for (int ic = 0; ic < m; ic += TK.MC)
                {
                    int mc = Math.Min(TK.MC, m - ic);
                    float* aBlock = transA ? a + pc * lda + ic : a + ic * lda + pc;
                    GemmPack.A(aBlock, lda, transA, mc, kc, mr, packA);
                    Macro(kc, mc, nc, packA, bp, c + ic * ldc + jc, ldc, add, edge);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro(int kc, int mc, int nc, float* packA, float* packB, float* c, nint ldc, bool add, float* edge)
    {
        int mr = TK.MR, nr = TK.NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* bp = packB + (nint)jr * kc;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                float* ap = packA + (nint)ir * kc;
                float* ct = c + ir * ldc + jr;
                if (rows == mr && cols == nr)
                {
                    TK.Run(kc, ap, bp, ct, ldc, add);
                    continue;
                }
                // Ragged tile: compute the full tile into scratch, then touch only the valid part of C.
                TK.Run(kc, ap, bp, edge, nr, false);
                for (int i = 0; i < rows; i++)
                {
                    float* src = edge + i * nr;
                    float* dst = ct + i * ldc;
                    if (add) for (int j = 0; j < cols; j++) dst[j] += src[j];
                    else for (int j = 0; j < cols; j++) dst[j] = src[j];
                }
            }
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}

/// <summary>
/// Per-thread pack buffers, grown on demand and kept: a GEMM call on the hot path allocates nothing.
/// Pinned and 64-byte aligned so micro-kernel loads never split a cache line.
/// </summary>
internal static unsafe class GemmBuffers
{
    [ThreadStatic] private static float[]? _a;
    [ThreadStatic] private static float[]? _b;
    [ThreadStatic] private static float[]? _rows;

    public static float* A(int length) => Get(ref _a, length);
    public static float* B(int length) => Get(ref _b, length);
    /// <summary>Scratch for the direct path (a gathered row block of op(A)).</summary>
    public static float* Rows(int length) => Get(ref _rows, length);

    private static float* Get(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length + 16)
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(length + 16, (buffer?.Length ?? 0) * 2), pinned: true);
        nint p = (nint)Unsafe.AsPointer(ref buffer[0]);
        return (float*)((p + 63) & ~(nint)63);
    }
}
