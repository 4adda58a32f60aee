namespace Attend.Tensors;

/// <summary>Shape arithmetic and the wording of shape errors.</summary>
internal static class ShapeOf
{
    /// <summary>Number of elements of a shape (1 for a scalar).</summary>
    public static int Count(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        if (n > int.MaxValue) throw new ArgumentException($"shape {Format(shape)} has more than {int.MaxValue} elements");
        return (int)n;
    }

    /// <summary>Throws unless every dimension is non-negative.</summary>
    public static void Validate(ReadOnlySpan<int> shape)
    {
        foreach (var d in shape)
            if (d < 0) throw new ArgumentException($"negative dimension in shape {Format(shape)}");
    }

    /// <summary>"[2, 3, 4]".</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>Whether two shapes are identical.</summary>
    public static bool Same(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Throws with both shapes named unless they are identical.</summary>
    public static void RequireSame(string op, Tensor a, Tensor b)
    {
        if (!Same(a.Shape, b.Shape))
            throw new ArgumentException($"{op}: shapes differ, {Format(a.Shape)} vs {Format(b.Shape)}");
    }

    /// <summary>Product of all dimensions but the last (the number of rows when viewed as a matrix).</summary>
    public static int Rows(Tensor t) => t.Rank == 0 ? 1 : t.Length / Math.Max(1, t.Shape[^1]) * (t.Shape[^1] == 0 ? 0 : 1);

    /// <summary>Size of the last dimension (1 for a scalar).</summary>
    public static int Cols(Tensor t) => t.Rank == 0 ? 1 : t.Shape[^1];
}
