using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>
/// Two independent pieces of work at once: the second on a GEMM worker that adopts the caller's
/// <see cref="TensorScope"/> and <see cref="GradMode"/>, so the tensors (and graph) it makes are the same
/// as on the caller. While both run they hold the workers, so every kernel inside runs on its own thread:
/// for chains of small products (the two directions of a bidirectional RNN) one core each is faster
/// than splitting every product in two. Results do not depend on it: each product gives the same bits
/// on one thread or several. With one thread, or when the workers are already held, the two run in turn.
/// </summary>
internal static class Concurrently
{
    public static void Run(Action first, Action second)
    {
        if (Parallelism.MaxThreads < 2)
        {
            first();
            second();
            return;
        }
        var scope = TensorScope.Current;
        bool gradOff = GradMode.Disabled;
        GemmThreads.For(2, i =>
        {
            using var s = TensorScope.Adopt(scope);
            using var g = GradMode.Adopt(gradOff);
            if (i == 0) first();
            else second();
        });
    }

    /// <summary>
    /// body(0..count-1) all at once, each on its own thread adopting the caller's scope and grad mode, the
    /// kernels inside each on its thread alone; false, having run nothing, when there are not that many threads
    /// to be had (<see cref="Parallelism.MaxThreads"/> below <paramref name="count"/>, or the workers held by
    /// another call). For parts that wait on one another (a decoding shard that has finished waits to learn
    /// whether the others have), which would never finish if they ran in turn.
    /// </summary>
    public static bool TryEachAtOnce(int count, Action<int> body)
    {
        var scope = TensorScope.Current;
        bool gradOff = GradMode.Disabled;
        return GemmThreads.TryForEachAtOnce(count, i =>
        {
            using var s = TensorScope.Adopt(scope);
            using var g = GradMode.Adopt(gradOff);
            body(i);
        });
    }
}
