namespace Attend.Tensors.Tests.Int8;

/// <summary>Random operands for the int8 tests.</summary>
internal static class Int8TestKit
{
    /// <summary>Uniform in [-range, range).</summary>
    public static float[] Random(Random rng, int length, float range)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * range;
        return x;
    }

    /// <summary>Integers in [-levels, levels], half of them at an end of the range (the sums that could overflow).</summary>
    public static sbyte[] Integers(Random rng, int length, int levels)
    {
        var q = new sbyte[length];
        for (int i = 0; i < length; i++)
            q[i] = (sbyte)(rng.Next(2) == 0 ? (rng.Next(2) == 0 ? levels : -levels) : rng.Next(-levels, levels + 1));
        return q;
    }
}
