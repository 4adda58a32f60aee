using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Tensors.Kernels;

/// <summary>Which SIMD body the element-wise drivers run; <see cref="Auto"/> picks the widest accelerated one.</summary>
internal enum SimdWidth { Auto, Scalar, V256, V512 }

/// <summary>f(x): one scalar body and two vector bodies that must agree (up to the vector math's rounding).</summary>
internal interface IUnaryOperator
{
    float Invoke(float x);
    Vector256<float> Invoke(Vector256<float> x);
    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>f(x, y).</summary>
internal interface IBinaryOperator
{
    float Invoke(float x, float y);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

/// <summary>f(x, y, z); backward kernels use z as the gradient being accumulated into.</summary>
internal interface ITernaryOperator
{
    float Invoke(float x, float y, float z);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z);
}

/// <summary>
/// The one loop behind every element-wise operator that TensorPrimitives does not have. The operator
/// is a struct type argument, so the JIT specialises and inlines its bodies: no delegate per element.
/// The tail is scalar, which keeps in-place use (dst the same span as an input) correct; partially
/// overlapping spans are not supported.
/// </summary>
internal static class Elementwise
{
    /// <summary>The widest accelerated width (Vector512 only where it is real, not emulated).</summary>
    public static SimdWidth Best =>
        Vector512.IsHardwareAccelerated ? SimdWidth.V512 :
        Vector256.IsHardwareAccelerated ? SimdWidth.V256 : SimdWidth.Scalar;

    /// <summary>dst[i] = op(x[i]).</summary>
    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> dst, TOp op, SimdWidth width = SimdWidth.Auto)
        where TOp : struct, IUnaryOperator
    {
        int n = Check(x.Length, dst.Length, nameof(x));
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pd = ref MemoryMarshal.GetReference(dst);
        if (width == SimdWidth.Auto) width = Best;
        nuint i = 0, len = (nuint)n;
        if (width == SimdWidth.V512)
            for (; i + 16 <= len; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref px, i)).StoreUnsafe(ref pd, i);
        if (width >= SimdWidth.V256)
            for (; i + 8 <= len; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref px, i)).StoreUnsafe(ref pd, i);
        for (; i < len; i++)
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i));
    }

    /// <summary>dst[i] = op(x[i], y[i]).</summary>
    public static void Map<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst, TOp op, SimdWidth width = SimdWidth.Auto)
        where TOp : struct, IBinaryOperator
    {
        int n = Check(x.Length, dst.Length, nameof(x));
        Check(y.Length, dst.Length, nameof(y));
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pd = ref MemoryMarshal.GetReference(dst);
        if (width == SimdWidth.Auto) width = Best;
        nuint i = 0, len = (nuint)n;
        if (width == SimdWidth.V512)
            for (; i + 16 <= len; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
        if (width >= SimdWidth.V256)
            for (; i + 8 <= len; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
        for (; i < len; i++)
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i));
    }

    /// <summary>dst[i] = op(x[i], y[i], z[i]).</summary>
    public static void Map<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> dst, TOp op,
        SimdWidth width = SimdWidth.Auto)
        where TOp : struct, ITernaryOperator
    {
        int n = Check(x.Length, dst.Length, nameof(x));
        Check(y.Length, dst.Length, nameof(y));
        Check(z.Length, dst.Length, nameof(z));
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pz = ref MemoryMarshal.GetReference(z);
        ref float pd = ref MemoryMarshal.GetReference(dst);
        if (width == SimdWidth.Auto) width = Best;
        nuint i = 0, len = (nuint)n;
        if (width == SimdWidth.V512)
            for (; i + 16 <= len; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i), Vector512.LoadUnsafe(ref pz, i))
                    .StoreUnsafe(ref pd, i);
        if (width >= SimdWidth.V256)
            for (; i + 8 <= len; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i), Vector256.LoadUnsafe(ref pz, i))
                    .StoreUnsafe(ref pd, i);
        for (; i < len; i++)
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), Unsafe.Add(ref pz, i));
    }

    /// <summary>dst[i] += op(x[i]).</summary>
    public static void Accumulate<TOp>(ReadOnlySpan<float> x, Span<float> dst, TOp op, SimdWidth width = SimdWidth.Auto)
        where TOp : struct, IUnaryOperator
        => Map(x, dst, dst, new PlusZ1<TOp>(op), width);

    /// <summary>dst[i] += op(x[i], y[i]).</summary>
    public static void Accumulate<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst, TOp op, SimdWidth width = SimdWidth.Auto)
        where TOp : struct, IBinaryOperator
        => Map(x, y, dst, dst, new PlusZ2<TOp>(op), width);

    /// <summary>dst[i] += op(x[i], y[i], z[i]).</summary>
    public static void Accumulate<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> dst, TOp op,
        SimdWidth width = SimdWidth.Auto)
        where TOp : struct, ITernaryOperator
    {
        int n = Check(x.Length, dst.Length, nameof(x));
        Check(y.Length, dst.Length, nameof(y));
        Check(z.Length, dst.Length, nameof(z));
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pz = ref MemoryMarshal.GetReference(z);
        ref float pd = ref MemoryMarshal.GetReference(dst);
        if (width == SimdWidth.Auto) width = Best;
        nuint i = 0, len = (nuint)n;
        if (width == SimdWidth.V512)
            for (; i + 16 <= len; i += 16)
                (Vector512.LoadUnsafe(ref pd, i) +
                 op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i), Vector512.LoadUnsafe(ref pz, i)))
                    .StoreUnsafe(ref pd, i);
        if (width >= SimdWidth.V256)
            for (; i + 8 <= len; i += 8)
                (Vector256.LoadUnsafe(ref pd, i) +
                 op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i), Vector256.LoadUnsafe(ref pz, i)))
                    .StoreUnsafe(ref pd, i);
        for (; i < len; i++)
            Unsafe.Add(ref pd, i) += op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), Unsafe.Add(ref pz, i));
    }

    /// <summary>Σ op(x[i]), accumulated per lane then summed across lanes.</summary>
    public static float SumOf<TOp>(ReadOnlySpan<float> x, TOp op, SimdWidth width = SimdWidth.Auto)
        where TOp : struct, IUnaryOperator
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        if (width == SimdWidth.Auto) width = Best;
        nuint i = 0, len = (nuint)x.Length;
        float sum = 0f;
        if (width == SimdWidth.V512 && len >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= len; i += 16) acc += op.Invoke(Vector512.LoadUnsafe(ref px, i));
            sum += Vector512.Sum(acc);
        }
        if (width >= SimdWidth.V256 && i + 8 <= len)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= len; i += 8) acc += op.Invoke(Vector256.LoadUnsafe(ref px, i));
            sum += Vector256.Sum(acc);
        }
        for (; i < len; i++) sum += op.Invoke(Unsafe.Add(ref px, i));
        return sum;
    }

    /// <summary>op(x) + z: turns a unary operator into an accumulating one.</summary>
    private readonly struct PlusZ1<TOp>(TOp op) : IBinaryOperator where TOp : struct, IUnaryOperator
    {
        private readonly TOp _op = op;
        public float Invoke(float x, float z) => z + _op.Invoke(x);
        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> z) => z + _op.Invoke(x);
        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> z) => z + _op.Invoke(x);
    }

    /// <summary>op(x, y) + z.</summary>
    private readonly struct PlusZ2<TOp>(TOp op) : ITernaryOperator where TOp : struct, IBinaryOperator
    {
        private readonly TOp _op = op;
        public float Invoke(float x, float y, float z) => z + _op.Invoke(x, y);
        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z) => z + _op.Invoke(x, y);
        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z) => z + _op.Invoke(x, y);
    }

    private static int Check(int length, int dstLength, string name)
    {
        if (length != dstLength)
            throw new ArgumentException($"Elementwise: {name} has {length} elements, destination has {dstLength}");
        return length;
    }
}
