namespace Attend.Tensors;

/// <summary>
/// The lifetime of the tensors of one unit of work (a training step, a decoding batch). Tensors
/// created while a scope is current rent their buffers from <see cref="BufferPool"/>; disposing the
/// scope gives every buffer back, so the next step reuses them. Scopes nest per thread.
/// </summary>
/// <example>
/// <code>
/// using (var step = TensorScope.Begin())
/// {
///     var loss = model.Loss(batch);
///     loss.Backward();
///     optimizer.Step();          // parameters live outside the scope
/// }                               // activations and their gradients go back to the pool
/// </code>
/// </example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;

    private readonly TensorScope? _outer;
    private readonly List<Tensor> _tensors = new(1024);
    private bool _disposed;

    private TensorScope(TensorScope? outer) => _outer = outer;

    /// <summary>The innermost scope of this thread, or null.</summary>
    public static TensorScope? Current => _current;

    /// <summary>Opens a scope that becomes current on this thread.</summary>
    public static TensorScope Begin()
    {
        var s = new TensorScope(_current);
        _current = s;
        return s;
    }

    /// <summary>Number of tensors owned by this scope.</summary>
    public int Count => _tensors.Count;

    // Locked: a scope is current on one thread, except while Concurrently.Run lends it to a worker.
    internal void Track(Tensor t)
    {
        lock (_tensors) _tensors.Add(t);
    }

    internal void Untrack(Tensor t)
    {
        lock (_tensors)
        {
            int i = _tensors.LastIndexOf(t);
            if (i >= 0)
            {
                _tensors[i] = _tensors[^1];
                _tensors.RemoveAt(_tensors.Count - 1);
            }
        }
    }

    /// <summary>Makes <paramref name="scope"/> current on this thread until the returned value is disposed (a worker adopting its caller's scope).</summary>
    internal static Adopted Adopt(TensorScope? scope)
    {
        var saved = _current;
        _current = scope;
        return new Adopted(saved);
    }

    internal readonly struct Adopted(TensorScope? saved) : IDisposable
    {
        public void Dispose() => _current = saved;
    }

    /// <summary>
    /// Copies <paramref name="t"/> into a tensor that outlives every scope (no graph), for results the
    /// caller keeps after the scope ends.
    /// </summary>
    public static Tensor Keep(Tensor t)
    {
        var saved = _current;
        _current = null;
        try { return Tensor.FromArray(t.Data, t.Shape); }
        finally { _current = saved; }
    }

    /// <summary>
    /// Hands <paramref name="t"/>, made in the current scope, to the enclosing scope (or to the GC when
    /// there is none) without a copy, so that it outlives the current scope: a decoder keeps its new
    /// state this way while everything else a step made goes back to the pool when the step's scope
    /// ends. A tensor of another scope is returned as it is. Only for tensors without a graph (made
    /// under <see cref="GradMode.Off"/>): their inputs die with the scope.
    /// </summary>
    public static Tensor Promote(Tensor t)
    {
        var cur = _current;
        if (cur is null || t.Scope != cur) return t;
        if (t.BackwardFn is not null)
            throw new InvalidOperationException($"TensorScope.Promote: {t} has a graph whose inputs would die with the scope (promote only under GradMode.Off)");
        t.MoveTo(cur._outer);
        return t;
    }

    /// <summary>Returns every buffer of this scope's tensors to the pool and makes the outer scope current.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_current != this)
            throw new InvalidOperationException("TensorScope disposed out of order (an inner scope is still open)");
        foreach (var t in _tensors) t.Release();
        _tensors.Clear();
        _current = _outer;
    }
}
