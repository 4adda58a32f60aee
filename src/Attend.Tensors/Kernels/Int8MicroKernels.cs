using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Tensors.Kernels;

/// <summary>
/// The int8 GEMM's register tiles: up to MR rows of unsigned activations u [rows, 4·groups] (row stride lda)
/// times one panel of <see cref="Int8Weights"/> (16 rows of W, K in groups of 4, 64 bytes a group), raw int32
/// sums Σ_k u·q into tile [MR, 16] (the zero point is taken off by the caller). Fewer rows than MR repeat the
/// last row (the extra sums are written to the tile and ignored). Each group broadcasts a row's four bytes to
/// every 32-bit lane, so lane j multiplies them by row j's four weights.
/// </summary>
internal static unsafe class Int8MicroKernels
{
    /// <summary>
    /// Rows per tile for each kernel (what registers allow: 16 vector registers without AVX-512, 32 with it). The
    /// eight-row AvxVnni tile takes 16 accumulators (87–93% of vpdpbusd's peak at 64 rows against 78–84% for six).
    /// </summary>
    public static int Rows(Int8Kernel kernel) => kernel switch
    {
        Int8Kernel.AvxVnni => Vector512.IsHardwareAccelerated ? 8 : 6,
        Int8Kernel.Avx512BW => 8,
        _ => 4,
    };

    /// <summary>vpdpbusd on 256 bits: 12 accumulators (6 rows × 2 halves of the panel), one instruction per 32 multiply-adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvxVnni6x16(byte* a, nint lda, int rows, sbyte* w, int groups, int* tile)
    {
        byte* a1 = Row(a, 1, rows, lda), a2 = Row(a, 2, rows, lda), a3 = Row(a, 3, rows, lda), a4 = Row(a, 4, rows, lda), a5 = Row(a, 5, rows, lda);
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (nint o = 0, end = 4 * (nint)groups; o < end; o += 4, w += 64)
        {
            var w0 = Vector256.Load(w);
            var w1 = Vector256.Load(w + 32);
            var x = Broadcast256(a + o);
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, x, w0); c01 = AvxVnni.MultiplyWideningAndAdd(c01, x, w1);
            x = Broadcast256(a1 + o);
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, x, w0); c11 = AvxVnni.MultiplyWideningAndAdd(c11, x, w1);
            x = Broadcast256(a2 + o);
            c20 = AvxVnni.MultiplyWideningAndAdd(c20, x, w0); c21 = AvxVnni.MultiplyWideningAndAdd(c21, x, w1);
            x = Broadcast256(a3 + o);
            c30 = AvxVnni.MultiplyWideningAndAdd(c30, x, w0); c31 = AvxVnni.MultiplyWideningAndAdd(c31, x, w1);
            x = Broadcast256(a4 + o);
            c40 = AvxVnni.MultiplyWideningAndAdd(c40, x, w0); c41 = AvxVnni.MultiplyWideningAndAdd(c41, x, w1);
            x = Broadcast256(a5 + o);
            c50 = AvxVnni.MultiplyWideningAndAdd(c50, x, w0); c51 = AvxVnni.MultiplyWideningAndAdd(c51, x, w1);
        }
        c00.Store(tile); c01.Store(tile + 8); c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40); c30.Store(tile + 48); c31.Store(tile + 56);
        c40.Store(tile + 64); c41.Store(tile + 72); c50.Store(tile + 80); c51.Store(tile + 88);
    }

    /// <summary>vpdpbusd on 256 bits, 8 rows: 16 accumulators, for a JIT with 32 vector registers (AVX-512 on).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvxVnni8x16(byte* a, nint lda, int rows, sbyte* w, int groups, int* tile)
    {
        byte* a1 = Row(a, 1, rows, lda), a2 = Row(a, 2, rows, lda), a3 = Row(a, 3, rows, lda);
        byte* a4 = Row(a, 4, rows, lda), a5 = Row(a, 5, rows, lda), a6 = Row(a, 6, rows, lda), a7 = Row(a, 7, rows, lda);
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<int> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (nint o = 0, end = 4 * (nint)groups; o < end; o += 4, w += 64)
        {
            var w0 = Vector256.Load(w);
            var w1 = Vector256.Load(w + 32);
            var x = Broadcast256(a + o);
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, x, w0); c01 = AvxVnni.MultiplyWideningAndAdd(c01, x, w1);
            x = Broadcast256(a1 + o);
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, x, w0); c11 = AvxVnni.MultiplyWideningAndAdd(c11, x, w1);
            x = Broadcast256(a2 + o);
            c20 = AvxVnni.MultiplyWideningAndAdd(c20, x, w0); c21 = AvxVnni.MultiplyWideningAndAdd(c21, x, w1);
            x = Broadcast256(a3 + o);
            c30 = AvxVnni.MultiplyWideningAndAdd(c30, x, w0); c31 = AvxVnni.MultiplyWideningAndAdd(c31, x, w1);
            x = Broadcast256(a4 + o);
            c40 = AvxVnni.MultiplyWideningAndAdd(c40, x, w0); c41 = AvxVnni.MultiplyWideningAndAdd(c41, x, w1);
            x = Broadcast256(a5 + o);
            c50 = AvxVnni.MultiplyWideningAndAdd(c50, x, w0); c51 = AvxVnni.MultiplyWideningAndAdd(c51, x, w1);
            x = Broadcast256(a6 + o);
            c60 = AvxVnni.MultiplyWideningAndAdd(c60, x, w0); c61 = AvxVnni.MultiplyWideningAndAdd(c61, x, w1);
            x = Broadcast256(a7 + o);
            c70 = AvxVnni.MultiplyWideningAndAdd(c70, x, w0); c71 = AvxVnni.MultiplyWideningAndAdd(c71, x, w1);
        }
        c00.Store(tile); c01.Store(tile + 8); c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40); c30.Store(tile + 48); c31.Store(tile + 56);
        c40.Store(tile + 64); c41.Store(tile + 72); c50.Store(tile + 80); c51.Store(tile + 88);
        c60.Store(tile + 96); c61.Store(tile + 104); c70.Store(tile + 112); c71.Store(tile + 120);
    }

    /// <summary>
    /// vpmaddubsw + vpmaddwd on 512 bits: u·q pairs summed into int16 (no saturation with u ≤ 127), then pairs
    /// of those into int32 by a multiply-add with ones; 8 rows × one zmm of 16 sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Avx512BW8x16(byte* a, nint lda, int rows, sbyte* w, int groups, int* tile)
    {
        byte* a1 = Row(a, 1, rows, lda), a2 = Row(a, 2, rows, lda), a3 = Row(a, 3, rows, lda);
        byte* a4 = Row(a, 4, rows, lda), a5 = Row(a, 5, rows, lda), a6 = Row(a, 6, rows, lda), a7 = Row(a, 7, rows, lda);
        var ones = Vector512.Create((short)1);
        Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (nint o = 0, end = 4 * (nint)groups; o < end; o += 4, w += 64)
        {
            var w0 = Vector512.Load(w);
            c0 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Broadcast512(a + o), w0), ones);
            c1 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Broadcast512(a1 + o), w0), ones);
            c2 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Broadcast512(a2 + o), w0), ones);
            c3 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Broadcast512(a3 + o), w0), ones);
            c4 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Broadcast512(a4 + o), w0), ones);
            c5 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Broadcast512(a5 + o), w0), ones);
            c6 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Broadcast512(a6 + o), w0), ones);
            c7 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Broadcast512(a7 + o), w0), ones);
        }
        c0.Store(tile); c1.Store(tile + 16); c2.Store(tile + 32); c3.Store(tile + 48);
        c4.Store(tile + 64); c5.Store(tile + 80); c6.Store(tile + 96); c7.Store(tile + 112);
    }

    /// <summary>vpmaddubsw + vpmaddwd on 256 bits (AVX2): 4 rows × 2 halves of the panel, 8 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Avx2x4x16(byte* a, nint lda, int rows, sbyte* w, int groups, int* tile)
    {
        byte* a1 = Row(a, 1, rows, lda), a2 = Row(a, 2, rows, lda), a3 = Row(a, 3, rows, lda);
        var ones = Vector256.Create((short)1);
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<int> c20 = default, c21 = default, c30 = default, c31 = default;
        for (nint o = 0, end = 4 * (nint)groups; o < end; o += 4, w += 64)
        {
            var w0 = Vector256.Load(w);
            var w1 = Vector256.Load(w + 32);
            var x = Broadcast256(a + o);
            c00 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w0), ones);
            c01 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w1), ones);
            x = Broadcast256(a1 + o);
            c10 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w0), ones);
            c11 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w1), ones);
            x = Broadcast256(a2 + o);
            c20 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w0), ones);
            c21 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w1), ones);
            x = Broadcast256(a3 + o);
            c30 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w0), ones);
            c31 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w1), ones);
        }
        c00.Store(tile); c01.Store(tile + 8); c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40); c30.Store(tile + 48); c31.Store(tile + 56);
    }

    /// <summary>Panels a few-row tile covers (<see cref="AvxVnni2x32"/>, <see cref="Avx512BW2x32"/>, <see cref="Avx2x2x32"/>).</summary>
    public const int FewRowPanels = 2;

    // One or two rows (a beam-1 or greedy step) would leave a 6- or 8-row tile doing mostly repeated rows, and a
    // single row's vpdpbusd chains wait on their latency: these tiles take two rows across two panels (tile
    // [2, 32], w1 the second panel, the first again when there is none), eight independent sums per row pair.

    /// <summary>vpdpbusd, 2 rows × 2 panels: 8 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvxVnni2x32(byte* a, nint lda, int rows, sbyte* w0, sbyte* w1, int groups, int* tile)
    {
        byte* a1 = Row(a, 1, rows, lda);
        Vector256<int> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        for (nint o = 0, end = 4 * (nint)groups; o < end; o += 4, w0 += 64, w1 += 64)
        {
            var x = Broadcast256(a + o);
            var y = Broadcast256(a1 + o);
            var w = Vector256.Load(w0);
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, x, w); c10 = AvxVnni.MultiplyWideningAndAdd(c10, y, w);
            w = Vector256.Load(w0 + 32);
            c01 = AvxVnni.MultiplyWideningAndAdd(c01, x, w); c11 = AvxVnni.MultiplyWideningAndAdd(c11, y, w);
            w = Vector256.Load(w1);
            c02 = AvxVnni.MultiplyWideningAndAdd(c02, x, w); c12 = AvxVnni.MultiplyWideningAndAdd(c12, y, w);
            w = Vector256.Load(w1 + 32);
            c03 = AvxVnni.MultiplyWideningAndAdd(c03, x, w); c13 = AvxVnni.MultiplyWideningAndAdd(c13, y, w);
        }
        c00.Store(tile); c01.Store(tile + 8); c02.Store(tile + 16); c03.Store(tile + 24);
        c10.Store(tile + 32); c11.Store(tile + 40); c12.Store(tile + 48); c13.Store(tile + 56);
    }

    /// <summary>vpmaddubsw + vpmaddwd on 512 bits, 2 rows × 2 panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Avx512BW2x32(byte* a, nint lda, int rows, sbyte* w0, sbyte* w1, int groups, int* tile)
    {
        byte* a1 = Row(a, 1, rows, lda);
        var ones = Vector512.Create((short)1);
        Vector512<int> c00 = default, c01 = default, c10 = default, c11 = default;
        for (nint o = 0, end = 4 * (nint)groups; o < end; o += 4, w0 += 64, w1 += 64)
        {
            var x = Broadcast512(a + o);
            var y = Broadcast512(a1 + o);
            var u = Vector512.Load(w0);
            var v = Vector512.Load(w1);
            c00 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, u), ones);
            c01 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, v), ones);
            c10 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(y, u), ones);
            c11 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(y, v), ones);
        }
        c00.Store(tile); c01.Store(tile + 16); c10.Store(tile + 32); c11.Store(tile + 48);
    }

    /// <summary>vpmaddubsw + vpmaddwd on 256 bits (AVX2), 2 rows × 2 panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Avx2x2x32(byte* a, nint lda, int rows, sbyte* w0, sbyte* w1, int groups, int* tile)
    {
        byte* a1 = Row(a, 1, rows, lda);
        var ones = Vector256.Create((short)1);
        Vector256<int> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        for (nint o = 0, end = 4 * (nint)groups; o < end; o += 4, w0 += 64, w1 += 64)
        {
            var x = Broadcast256(a + o);
            var y = Broadcast256(a1 + o);
            var w = Vector256.Load(w0);
            c00 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w), ones); c10 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(y, w), ones);
            w = Vector256.Load(w0 + 32);
            c01 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w), ones); c11 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(y, w), ones);
            w = Vector256.Load(w1);
            c02 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w), ones); c12 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(y, w), ones);
            w = Vector256.Load(w1 + 32);
            c03 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w), ones); c13 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(y, w), ones);
        }
        c00.Store(tile); c01.Store(tile + 8); c02.Store(tile + 16); c03.Store(tile + 24);
        c10.Store(tile + 32); c11.Store(tile + 40); c12.Store(tile + 48); c13.Store(tile + 56);
    }

    /// <summary>Plain loops over the same layout: the fallback without AVX2 (and what the others must equal).</summary>
    public static void Scalar(byte* a, nint lda, int rows, sbyte* w, int groups, int* tile)
    {
        for (int r = 0; r < rows; r++)
        {
            byte* ar = a + r * lda;
            for (int j = 0; j < Int8Weights.PanelWidth; j++)
            {
                int sum = 0;
                sbyte* wj = w + 4 * j;
                for (int g = 0; g < groups; g++)
                    for (int t = 0; t < 4; t++) sum += ar[4 * g + t] * wj[64 * g + t];
                tile[r * Int8Weights.PanelWidth + j] = sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* Row(byte* a, int r, int rows, nint lda) => a + (r < rows ? r : rows - 1) * lda;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Broadcast256(byte* p) => Vector256.Create(Unsafe.ReadUnaligned<int>(p)).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Broadcast512(byte* p) => Vector512.Create(Unsafe.ReadUnaligned<int>(p)).AsByte();
}
