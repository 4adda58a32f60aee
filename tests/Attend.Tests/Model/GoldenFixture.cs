using Attend.Nn;
using Attend.Tensors;
using Attend.Tensors.IO;
using Attend.Testing;

namespace Attend.Tests.Model;

/// <summary>Loads the PyTorch golden fixtures of tests/fixtures/golden and compares with their README's tolerance.</summary>
internal sealed class GoldenFixture
{
    public SafeTensorsFile File { get; }

    public GoldenFixture(string name) =>
        File = SafeTensorsFile.Read(Fixtures.FilePath("golden", name + ".safetensors"));

    public float[] F(string name) => File.GetFloat(name).Data;
    public int[] Shape(string name) => File.Info(name).Shape;
    public int[] I(string name) => File.GetInt64(name).Data.Select(x => checked((int)x)).ToArray();
    public float Scalar(string name) => File.GetFloat(name).Data[0];

    /// <summary>A leaf tensor requiring grad, holding the fixture tensor <paramref name="name"/>.</summary>
    public Tensor Leaf(string name)
    {
        var (data, shape) = File.GetFloat(name);
        var t = Tensor.Parameter(name, shape);
        data.CopyTo(t.Data);
        return t;
    }

    /// <summary>
    /// Copies every <c>{prefix}name</c> tensor onto the module's parameter of the same name (the identity
    /// mapping: our names are PyTorch's), and checks that the two sets of names are equal.
    /// </summary>
    public void LoadInto(Module m, string prefix = "param.")
    {
        var ours = m.NamedParameters().ToDictionary(x => x.Name, x => x.Param);
        var theirs = File.Names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Select(n => n[prefix.Length..]).ToList();
        Assert.Equal(theirs.OrderBy(x => x, StringComparer.Ordinal), ours.Keys.OrderBy(x => x, StringComparer.Ordinal));
        foreach (var name in theirs)
        {
            var (data, shape) = File.GetFloat(prefix + name);
            Assert.True(ShapeOf.Same(shape, ours[name].Shape), $"{name}: fixture {ShapeOf.Format(shape)} vs ours {ShapeOf.Format(ours[name].Shape)}");
            data.CopyTo(ours[name].Data);
        }
    }

    /// <summary>The README check: max|a−e| ≤ 1e-4·max|e| + 1e-7 over the whole tensor.</summary>
    public void AssertClose(string name, ReadOnlySpan<float> actual, double rel = 1e-4) => AssertClose(name, F(name), actual, rel);

    public static void AssertClose(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rel = 1e-4, double abs = 1e-7)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double maxE = 0, maxD = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            maxE = Math.Max(maxE, Math.Abs(expected[i]));
            double d = Math.Abs((double)actual[i] - expected[i]);
            if (!(d <= maxD)) { maxD = d; worst = i; }
        }
        double limit = rel * maxE + abs;
        Assert.True(maxD <= limit,
            $"{what}: max |actual - expected| = {maxD:G4} at [{worst}] (actual {(worst >= 0 ? actual[worst] : 0)}, expected {(worst >= 0 ? expected[worst] : 0)}) exceeds {limit:G4} (max |expected| = {maxE:G4})");
    }

    /// <summary>Every grad.param.* against the module's gradients.</summary>
    public void AssertParamGrads(Module m)
    {
        foreach (var (name, p) in m.NamedParameters())
            AssertClose("grad.param." + name, p.HasGrad ? p.Grad : new float[p.Length]);
    }

    /// <summary>Σ x ⊙ g as a graph node: the README's module loss for one output.</summary>
    public Tensor Dot(Tensor x, string gradOutput) =>
        Ops.Sum(Ops.Mul(x, Tensor.FromArray(F(gradOutput), Shape(gradOutput))));
}
