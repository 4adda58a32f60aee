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
}
