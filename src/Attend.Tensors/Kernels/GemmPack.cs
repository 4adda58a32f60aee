using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Tensors.Kernels;

/// <summary>
/// Packing for the blocked GEMM: copies a block of op(A) or op(B) into micro-panels laid out in the
/// exact order the micro-kernel reads them, zero-padding ragged edges. This is also where transposes
/// are absorbed: the packed layout is the same whichever way the operand is stored.
/// </summary>
internal static unsafe class GemmPack
{
    /// <summary>
    /// op(A)[i0.., p0..] block [mc, kc] → panels of [kc, mr], panel q at dst + q·kc·mr.
    /// op(A)[i, p] = transA ? a[p·lda + i] : a[i·lda + p].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void A(float* a, nint lda, bool transA, int mc, int kc, int mr, float* dst)
    {
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            float* panel = dst + (nint)i0 * kc;
            if (transA)
            {
                // Rows of op(A) are columns of the stored A: each p gives `rows` contiguous values.
                if (rows == 8 && mr == 8 && Vector256.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++) Vector256.Load(a + p * lda + i0).Store(panel + (nint)p * 8);
                    continue;
                }
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + p * lda + i0;
                    float* d = panel + (nint)p * mr;
                    int i = 0;
                    for (; i < rows; i++) d[i] = src[i];
                    for (; i < mr; i++) d[i] = 0f;
                }
            }
            else if (rows == 8 && mr == 8 && Avx.IsSupported)
            {
                // Eight stored rows, eight p at a time: an 8×8 transpose in registers (the scalar loop
                // below wrote one float per step; packing A was ~10% of a small model's training step).
                int p = 0;
                for (; p + 8 <= kc; p += 8) Transpose8x8(a + i0 * lda + p, lda, panel + (nint)p * 8, 8);
                for (; p < kc; p++)
                    for (int i = 0; i < 8; i++) panel[(nint)p * 8 + i] = a[(i0 + i) * lda + p];
            }
            else
            {
                // Read each stored row once, sequentially; the strided writes land in L1.
                for (int i = 0; i < rows; i++)
                {
                    float* src = a + (i0 + i) * lda;
                    float* d = panel + i;
                    for (int p = 0; p < kc; p++) d[(nint)p * mr] = src[p];
                }
                for (int i = rows; i < mr; i++)
                    for (int p = 0; p < kc; p++) panel[(nint)p * mr + i] = 0f;
            }
        }
    }

    /// <summary>
    /// op(B)[p0.., j0..] block [kc, nc] → panels of [kc, nr], panel q at dst + q·kc·nr.
    /// op(B)[p, j] = transB ? b[j·ldb + p] : b[p·ldb + j].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void B(float* b, nint ldb, bool transB, int kc, int nc, int nr, float* dst)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            float* panel = dst + (nint)j0 * kc;
            if (!transB) PanelRows(b + j0, ldb, kc, cols, nr, panel);
            else PanelTransposed(b + j0 * ldb, ldb, kc, cols, nr, panel);
        }
    }

    // Rows of B fetched ahead while packing: a stored row of B is usually on its own page, beyond the
    // reach of the hardware prefetcher, so the copy would otherwise wait on every row in turn.
    private const int PrefetchRows = 16;

    // How many panels ahead PanelRows fetches into L2: two panels give the lines a whole extra
    // macro-kernel to arrive (measured on [64, 1024]·[1024, 8000], whose B streams from DRAM).
    private const int PanelsAhead = 2;

    // Stored B [k, n]: each p contributes `cols` contiguous values.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelRows(float* b, nint ldb, int kc, int cols, int nr, float* panel)
    {
        if (cols == nr && nr % 8 == 0 && Vector256.IsHardwareAccelerated)
        {
            for (int p = 0; p < kc; p++)
            {
                float* src = b + p * ldb;
                float* d = panel + (nint)p * nr;
                if (Sse.IsSupported)
                {
                    // Every cache line the row part touches: a row is rarely 64-byte aligned, so a part of
                    // 32 floats spans three lines, and prefetching only its first and last value left the
                    // middle one to a demand miss per row (measured: packing a [1024, 8000] B into
                    // 32-wide panels ran at 4 GB/s instead of 12).
                    if (p + PrefetchRows < kc)
                    {
                        float* ahead = src + PrefetchRows * ldb;
                        for (int q = 0; q < nr; q += 16) Sse.Prefetch0(ahead + q);
                        Sse.Prefetch0(ahead + nr - 1);
                    }
                    // A later panel's part of this row goes to L2 now, macro-kernels before it is packed.
                    float* next = src + PanelsAhead * nr;
                    for (int q = 0; q < nr; q += 16) Sse.Prefetch1(next + q);
                    Sse.Prefetch1(next + nr - 1);
                }
                for (int j = 0; j < nr; j += 8) Vector256.Store(Vector256.Load(src + j), d + j);
            }
            return;
        }
        for (int p = 0; p < kc; p++)
        {
            float* src = b + p * ldb;
            float* d = panel + (nint)p * nr;
            int j = 0;
            for (; j < cols; j++) d[j] = src[j];
            for (; j < nr; j++) d[j] = 0f;
        }
    }

    // Stored B [n, k] (e.g. a weight W in x·Wᵀ): column j of op(B) is row j of b, so the panel is a
    // transpose; 8×8 register transposes keep it from costing as much as the arithmetic on small m.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelTransposed(float* b, nint ldb, int kc, int cols, int nr, float* panel)
    {
        int p0 = 0;
        if (Avx.IsSupported && cols == nr && nr % 8 == 0)
        {
            for (; p0 + 8 <= kc; p0 += 8)
            {
                if ((p0 & 15) == 0)
                {
                    // One cache line of each row of the next panel, as in PanelRows.
                    for (int j = 0; j < nr; j++) Sse.Prefetch1(b + (nr + j) * ldb + p0);
                }
                for (int j = 0; j < nr; j += 8)
                    Transpose8x8(b + j * ldb + p0, ldb, panel + (nint)p0 * nr + j, nr);
            }
        }
        for (int j = 0; j < cols; j++)
        {
            float* src = b + j * ldb;
            for (int p = p0; p < kc; p++) panel[(nint)p * nr + j] = src[p];
        }
        for (int j = cols; j < nr; j++)
            for (int p = p0; p < kc; p++) panel[(nint)p * nr + j] = 0f;
    }

    /// <summary>dst row q (stride ldd) = column q of the 8×8 block at src (row stride lds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint lds, float* dst, nint ldd)
    {
        var r0 = Avx.LoadVector256(src); var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + 2 * lds); var r3 = Avx.LoadVector256(src + 3 * lds);
        var r4 = Avx.LoadVector256(src + 4 * lds); var r5 = Avx.LoadVector256(src + 5 * lds);
        var r6 = Avx.LoadVector256(src + 6 * lds); var r7 = Avx.LoadVector256(src + 7 * lds);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(s3, s7, 0x31));
    }
}
