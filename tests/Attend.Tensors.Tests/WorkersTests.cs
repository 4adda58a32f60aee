using Attend.Tensors;
using Attend.Tensors.Kernels;

namespace Attend.Tensors.Tests;

/// <summary>
/// The shared workers behind GEMM and the row-parallel passes: every index runs exactly once, a kernel called
/// from inside a part (a GEMM inside a row pass) runs on its caller instead of re-entering the workers, an
/// exception in a part reaches the caller, and the workers still serve calls after sleeping.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class WorkersTests
{
    [Fact]
    public void Every_index_runs_once_and_nested_kernels_stay_correct()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 2;
            var hits = new int[1000];
            var rng = new Rng(1);
            var a = new float[64 * 96];
            var b = new float[96 * 80];
            rng.FillNormal(a, 0f, 1f);
            rng.FillNormal(b, 0f, 1f);
            var expected = new float[64 * 80];
            GemmReference.Multiply(a, b, expected, 64, 80, 96, false, false, false);
            var results = new float[8][];
            GemmThreads.For(hits.Length, i =>
            {
                Interlocked.Increment(ref hits[i]);
                if (i % 125 == 0)
                {
                    // A product big enough to split, called from inside a part.
                    var c = new float[64 * 80];
                    Gemm.Multiply(a, b, c, 64, 80, 96);
                    results[i / 125] = c;
                }
            });
            Assert.All(hits, h => Assert.Equal(1, h));
            foreach (var c in results)
                for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 1e-3f);
        }
        finally { Parallelism.MaxThreads = saved; }
    }

    [Fact]
    public void An_exception_in_a_part_reaches_the_caller_and_the_workers_go_on()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 2;
            var e = Assert.Throws<InvalidOperationException>(() => GemmThreads.For(100, i =>
            {
                if (i == 57) throw new InvalidOperationException("part 57");
            }));
            Assert.Equal("part 57", e.Message);
            // Past the spin window the worker blocks; the next call must still complete on both threads.
            Thread.Sleep(20);
            int sum = 0;
            GemmThreads.For(100, i => Interlocked.Add(ref sum, i));
            Assert.Equal(4950, sum);
        }
        finally { Parallelism.MaxThreads = saved; }
    }
}
