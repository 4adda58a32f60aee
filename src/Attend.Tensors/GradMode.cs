namespace Attend.Tensors;

/// <summary>
/// Whether ops record the graph on this thread. Inference runs under <c>using (GradMode.Off())</c>:
/// no closures, no gradients, no graph kept alive.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int _offDepth;

    /// <summary>True unless inside a <see cref="Off"/> scope on this thread.</summary>
    public static bool IsEnabled => _offDepth == 0;

    /// <summary>Disables graph recording until the returned scope is disposed.</summary>
    public static OffScope Off()
    {
        _offDepth++;
        return new OffScope();
    }

    /// <summary>This thread's setting, for a worker to adopt with <see cref="Adopt"/>.</summary>
    internal static bool Disabled => _offDepth > 0;

    /// <summary>Sets this thread to <paramref name="disabled"/> until the returned value is disposed.</summary>
    internal static Adopted Adopt(bool disabled)
    {
        int saved = _offDepth;
        _offDepth = disabled ? 1 : 0;
        return new Adopted(saved);
    }

    internal readonly struct Adopted(int saved) : IDisposable
    {
        public void Dispose() => _offDepth = saved;
    }

    /// <summary>Restores recording when disposed.</summary>
    public readonly struct OffScope : IDisposable
    {
        /// <summary>Ends this scope: recording resumes once every enclosing scope has ended too.</summary>
        public void Dispose() => _offDepth--;
    }
}
