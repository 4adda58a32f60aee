using Attend.Tensors;
using Attend.Training;

namespace Attend.Tests.Training;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountCollection
{
    public const string Name = "Thread count";
}

/// <summary>Clipping and Adam run on slices over several threads: the bits must not depend on the thread count.</summary>
[Collection(ThreadCountCollection.Name)]
public class ParallelOptimizerTests
{
    private static List<Tensor> Parameters(int seed)
    {
        var rng = new Rng((ulong)seed);
        // One parameter spans several slices and ends mid-slice; one is smaller than a slice; one has no gradient.
        var ps = new List<Tensor> { Tensor.Parameter("a", 5, ParameterChunks.ChunkSize + 77), Tensor.Parameter("b", 1000), Tensor.Parameter("c", 3) };
        foreach (var p in ps) rng.FillNormal(p.Data, 0f, 1f);
        foreach (var p in ps.Take(2)) rng.FillNormal(p.Grad, 0f, 0.5f);
        return ps;
    }

    private static (float[][] Weights, double Norm) Run(int threads)
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = threads;
            var ps = Parameters(7);
            var adam = new Adam(ps);
            double norm = 0;
            for (int step = 0; step < 3; step++)
            {
                norm = GradClip.ClipGradNorm(ps, 1.0);
                adam.Step();
            }
            return (ps.Select(p => p.Data.ToArray()).ToArray(), norm);
        }
        finally { Parallelism.MaxThreads = saved; }
    }

    [Fact]
    public void Clipping_and_Adam_give_the_same_bits_on_one_and_two_threads()
    {
        var (w1, n1) = Run(1);
        var (w2, n2) = Run(2);
        Assert.Equal(n1, n2);
        for (int i = 0; i < w1.Length; i++) Assert.Equal(w1[i], w2[i]);
        // The parameter without a gradient is untouched; the others moved.
        Assert.Equal(Parameters(7)[2].Data.ToArray(), w1[2]);
        Assert.NotEqual(Parameters(7)[0].Data.ToArray(), w1[0]);
    }

    [Fact]
    public void Clipping_scales_to_the_norm_and_reports_the_norm_before()
    {
        var ps = Parameters(3);
        double expected = Math.Sqrt(ps.Take(2).Sum(p => p.Grad.ToArray().Sum(g => (double)g * g)));
        double norm = GradClip.ClipGradNorm(ps, 1.0);
        Assert.Equal(expected, norm, 1e-9 * expected);
        double after = Math.Sqrt(ps.Take(2).Sum(p => p.Grad.ToArray().Sum(g => (double)g * g)));
        Assert.Equal(1.0, after, 1e-5);
    }
}
