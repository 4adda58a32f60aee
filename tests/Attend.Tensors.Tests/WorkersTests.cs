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

/// <summary>
/// Work run concurrently (the two directions of a bidirectional RNN) makes the same tensors as on the
/// caller: in the caller's scope, with or without a graph as the caller's GradMode says, on two threads.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class ConcurrentlyTests
{
    private static (Tensor First, Tensor Second, int FirstThread, int SecondThread) RunBoth(Tensor x)
    {
        using var started = new ManualResetEventSlim();
        Tensor? a = null, b = null;
        int ta = 0, tb = 0;
        Concurrently.Run(
            () =>
            {
                // Wait for the second: it can then only be running on the other thread.
                Assert.True(started.Wait(TimeSpan.FromSeconds(10)), "the second piece never started alongside the first");
                a = Ops.Tanh(x);
                ta = Environment.CurrentManagedThreadId;
            },
            () =>
            {
                started.Set();
                b = Ops.Tanh(x);
                tb = Environment.CurrentManagedThreadId;
            });
        return (a!, b!, ta, tb);
    }

    [Fact]
    public void The_second_piece_adopts_the_callers_scope_and_grad_mode()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 2;
            var x = Tensor.Parameter("x", 4);
            x.Data.Fill(0.5f);
            using (var scope = TensorScope.Begin())
            {
                var (a, b, ta, tb) = RunBoth(x);
                Assert.NotEqual(ta, tb);
                Assert.Same(scope, a.Scope);
                Assert.Same(scope, b.Scope);
                Assert.True(b.RequiresGrad);
                Ops.Sum(b).Backward();
                Assert.Equal(1 - MathF.Tanh(0.5f) * MathF.Tanh(0.5f), x.Grad[0], 1e-6f);
                using (GradMode.Off())
                {
                    var (_, b2, _, _) = RunBoth(x);
                    Assert.False(b2.RequiresGrad);
                }
            }
        }
        finally { Parallelism.MaxThreads = saved; }
    }
}
