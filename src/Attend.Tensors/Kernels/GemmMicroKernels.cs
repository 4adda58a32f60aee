using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Tensors.Kernels;

/// <summary>
/// A GEMM micro-kernel: C[MR, NR] (+)= Ap·Bp over kc steps, where Ap is a packed micro-panel
/// [kc, MR] (MR values of op(A)'s column p side by side) and Bp a packed micro-panel [kc, NR].
/// The tile of C lives in registers for the whole k loop; that is where the speed comes from.
/// The block sizes say how much of A and B the driver packs at once so the panels stay in cache.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int MR { get; }
    /// <summary>Columns of the register tile.</summary>
    static abstract int NR { get; }
    /// <summary>Depth of a packed block (one k slice): the C tile is loaded and stored once per slice.</summary>
    static abstract int KC { get; }
    /// <summary>Rows of a packed A block [MC, KC]; it should stay in L2.</summary>
    static abstract int MC { get; }
    /// <summary>Columns of a packed B block [KC, NC]; it lives in L3.</summary>
    static abstract int NC { get; }

    /// <summary>C tile at <paramref name="c"/> with row stride <paramref name="ldc"/>: overwritten, or added to when <paramref name="add"/>.</summary>
    static abstract void Run(int kc, float* a, float* b, float* c, nint ldc, bool add);
}

/// <summary>AVX2 + FMA: 6×16 tile = 12 ymm accumulators, 2 for B, 1 broadcast of A (15 of 16 registers).</summary>
internal unsafe struct Kernel6x16 : IGemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int KC => 256;
    public static int MC => 120;
    public static int NC => 3072;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        if (Sse.IsSupported)
        {
            // The C tile is needed only after the k loop: start fetching its rows now.
            for (int i = 0; i < 6; i++) { Sse.Prefetch0(c + i * ldc); Sse.Prefetch0(c + i * ldc + 15); }
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00); c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10); c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20); c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30); c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40); c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50); c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            a += 6;
            b += 16;
        }
        Store(c, c00, c01, add); c += ldc;
        Store(c, c10, c11, add); c += ldc;
        Store(c, c20, c21, add); c += ldc;
        Store(c, c30, c31, add); c += ldc;
        Store(c, c40, c41, add); c += ldc;
        Store(c, c50, c51, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> v0, Vector256<float> v1, bool add)
    {
        if (add)
        {
            v0 += Vector256.Load(c);
            v1 += Vector256.Load(c + 8);
        }
        v0.Store(c);
        v1.Store(c + 8);
    }
}

/// <summary>
/// AVX-512: 8×32 tile = 16 zmm accumulators, 2 for B, 1 broadcast (19 of 32 registers). On Zen 4
/// (512-bit FMAs issued as two 256-bit halves) it runs at the core's FMA peak on cached panels, as did
/// 10×32, 12×32, 14×32, 8×48, 16×16 and 24×16, and it was the fastest or tied in whole products.
/// Blocks measured on Zen 4 (32 KB L1d, 1 MB L2 per core): KC=512, MC=192 (a 384 KB A block in L2)
/// beat 256×128 by ~4% on the large shapes; the [KC, 32] B panel (64 KB) then streams from L2,
/// which costs less than loading and storing the C tile twice as often.
/// </summary>
internal unsafe struct Kernel8x32 : IGemmMicroKernel
{
    public static int MR => 8;
    public static int NR => 32;
    public static int KC => 512;
    public static int MC => 192;
    public static int NC => 2048;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        if (Sse.IsSupported)
        {
            for (int i = 0; i < 8; i++)
            {
                Sse.Prefetch0(c + i * ldc); Sse.Prefetch0(c + i * ldc + 16); Sse.Prefetch0(c + i * ldc + 31);
            }
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var av = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00); c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10); c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20); c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30); c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40); c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50); c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(av, b0, c60); c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(av, b0, c70); c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            a += 8;
            b += 32;
        }
        Store(c, c00, c01, add); c += ldc;
        Store(c, c10, c11, add); c += ldc;
        Store(c, c20, c21, add); c += ldc;
        Store(c, c30, c31, add); c += ldc;
        Store(c, c40, c41, add); c += ldc;
        Store(c, c50, c51, add); c += ldc;
        Store(c, c60, c61, add); c += ldc;
        Store(c, c70, c71, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> v0, Vector512<float> v1, bool add)
    {
        if (add)
        {
            v0 += Vector512.Load(c);
            v1 += Vector512.Load(c + 16);
        }
        v0.Store(c);
        v1.Store(c + 16);
    }
}

/// <summary>Portable fallback (no AVX2/FMA): a 4×4 tile in 16 scalar registers, same packing as the SIMD kernels.</summary>
internal unsafe struct Kernel4x4 : IGemmMicroKernel
{
    public static int MR => 4;
    public static int NR => 4;
    public static int KC => 256;
    public static int MC => 64;
    public static int NC => 3072;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float av = a[0];
            c00 += av * b0; c01 += av * b1; c02 += av * b2; c03 += av * b3;
            av = a[1];
            c10 += av * b0; c11 += av * b1; c12 += av * b2; c13 += av * b3;
            av = a[2];
            c20 += av * b0; c21 += av * b1; c22 += av * b2; c23 += av * b3;
            av = a[3];
            c30 += av * b0; c31 += av * b1; c32 += av * b2; c33 += av * b3;
            a += 4;
            b += 4;
        }
        Store(c, c00, c01, c02, c03, add); c += ldc;
        Store(c, c10, c11, c12, c13, add); c += ldc;
        Store(c, c20, c21, c22, c23, add); c += ldc;
        Store(c, c30, c31, c32, c33, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, float v0, float v1, float v2, float v3, bool add)
    {
        if (add) { c[0] += v0; c[1] += v1; c[2] += v2; c[3] += v3; }
        else { c[0] = v0; c[1] = v1; c[2] = v2; c[3] = v3; }
    }
}
