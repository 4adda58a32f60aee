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

    /// <summary>Restores recording when disposed.</summary>
    public readonly struct OffScope : IDisposable
    {
        public void Dispose() => _offDepth--;
    }
}
