using System.Numerics.Tensors;

namespace Attend.Tensors;

/// <summary>
/// A dense float32 tensor: contiguous, row-major, with an optional gradient and the closure that
/// carries its gradient back to the tensors it was computed from.
/// </summary>
/// <remarks>
/// Buffers of tensors made inside a <see cref="TensorScope"/> are rented from <see cref="BufferPool"/>
/// and go back to it when the scope ends, so a training step reuses the memory of the previous one
/// instead of allocating in proportion to the number of ops. A tensor made outside any scope (a
/// parameter, a result the caller keeps) owns a plain array.
/// <para>
/// Thread-safety: any number of threads may read a tensor's values and use it as an op's input at once (decoding
/// shares the weights this way). Writing its values or its gradient (<see cref="Backward"/>, <see cref="ZeroGrad"/>)
/// needs the caller's own exclusion. Grad mode and the current scope are per thread.
/// </para>
/// </remarks>
public sealed partial class Tensor
{
    private float[]? _data;
    private float[]? _grad;
    private TensorScope? _scope;
    private Tensor[]? _saved;
    private bool _valuesFreed;
    private bool _gradFromPool; // an unscoped tensor (a parameter) whose gradient was dropped: from then on it is rented

    /// <summary>Dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public int Length { get; }

    /// <summary>Whether gradients flow into this tensor during <see cref="Backward"/>.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Optional name, used in error messages and by checkpoints.</summary>
    public string? Name { get; set; }

    /// <summary>The inputs this tensor was computed from (empty for leaves).</summary>
    internal Tensor[] Parents { get; private set; } = [];

    /// <summary>Accumulates this tensor's gradient into its parents' gradients.</summary>
    internal Action? BackwardFn { get; private set; }

    private Tensor(int[] shape, float[] data, TensorScope? scope)
    {
        Shape = shape;
        Length = ShapeOf.Count(shape);
        _data = data;
        _scope = scope;
    }

    /// <summary>A tensor with uninitialised contents (pooled inside a scope). Callers must write every element.</summary>
    public static Tensor Empty(params int[] shape)
    {
        ShapeOf.Validate(shape);
        var scope = TensorScope.Current;
        int n = ShapeOf.Count(shape);
        if (scope is null) return new Tensor((int[])shape.Clone(), new float[n], null);
        var t = new Tensor((int[])shape.Clone(), BufferPool.Shared.Rent(n), scope);
        scope.Track(t);
        return t;
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape)
    {
        var t = Empty(shape);
        if (t._scope is not null) t.Data.Clear();
        return t;
    }

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Empty(shape);
        t.Data.Fill(value);
        return t;
    }

    /// <summary>A tensor holding a copy of <paramref name="values"/>, shaped <paramref name="shape"/>.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] shape)
    {
        var t = Empty(shape);
        if (values.Length != t.Length)
            throw new ArgumentException($"{values.Length} values do not fill shape {ShapeOf.Format(shape)} ({t.Length} elements)");
        values.CopyTo(t.Data);
        return t;
    }

    /// <summary>A scalar (0-d) tensor.</summary>
    public static Tensor Scalar(float value) => FromArray([value]);

    /// <summary>A trainable leaf: owns its memory whatever scope is active, and requires grad.</summary>
    public static Tensor Parameter(string name, params int[] shape)
    {
        ShapeOf.Validate(shape);
        return new Tensor((int[])shape.Clone(), new float[ShapeOf.Count(shape)], null) { Name = name, RequiresGrad = true };
    }

    /// <summary>The values, row-major.</summary>
    public Span<float> Data => Live().AsSpan(0, Length);

    /// <summary>Whether a gradient has been allocated.</summary>
    public bool HasGrad => _grad is not null || _rowGradPresent;

    /// <summary>The gradient, allocated (as zeros) on first access.</summary>
    public Span<float> Grad
    {
        get
        {
            Usable();
            Densify();
            if (_grad is null)
            {
                if (!PooledGrad) _grad = new float[Length];
                else
                {
                    _grad = BufferPool.Shared.Rent(Length);
                    _grad.AsSpan(0, Length).Clear();
                }
            }
            return _grad.AsSpan(0, Length);
        }
    }

    /// <summary>
    /// The gradient buffer for a backward that writes every element: when none exists yet it is rented
    /// without being zeroed and <paramref name="fresh"/> is true, and the caller must overwrite it (a product
    /// with accumulate = !fresh, a copy instead of an add); otherwise the caller adds into it as usual.
    /// </summary>
    internal Span<float> GradForOverwrite(out bool fresh)
    {
        Usable();
        Densify();
        fresh = _grad is null;
        if (fresh) _grad = PooledGrad ? BufferPool.Shared.Rent(Length) : new float[Length];
        return _grad!.AsSpan(0, Length);
    }

    /// <summary>grad += g over the whole tensor; the first contribution is a copy (no zeroing, no add).</summary>
    internal void AccumulateGrad(ReadOnlySpan<float> g)
    {
        var grad = GradForOverwrite(out bool fresh);
        if (fresh) g[..Length].CopyTo(grad);
        else TensorPrimitives.Add(grad, g[..Length], grad);
    }

    /// <summary>
    /// grad += scale·donor, where <paramref name="donor"/> is a scoped tensor of the same size that nothing reads
    /// afterwards (a gradient an op computed ahead, for a seed of 1): when this tensor has no gradient yet and its
    /// gradient would come from the pool, the donor's buffer becomes the gradient, scaled in place, with no copy.
    /// </summary>
    internal void AccumulateScaledGrad(Tensor donor, float scale)
    {
        Usable();
        if (donor.Length != Length) throw new ArgumentException($"AccumulateScaledGrad: {donor} does not match {this}");
        if (_grad is null && !_rowGradPresent && PooledGrad && donor._scope is not null && donor._data is not null)
        {
            var buffer = donor._data;
            donor._data = null;
            donor._valuesFreed = true;
            if (scale != 1f) TensorPrimitives.Multiply(buffer.AsSpan(0, Length), scale, buffer.AsSpan(0, Length));
            _grad = buffer;
            return;
        }
        var d = donor.Data;
        var g = GradForOverwrite(out bool fresh);
        if (fresh) TensorPrimitives.Multiply(d, scale, g);
        else TensorPrimitives.MultiplyAdd(d, scale, g, g);
    }

    /// <summary>Forgets the gradient of a leaf (parameters keep their buffer, zeroed).</summary>
    public void ZeroGrad()
    {
        if (_grad is not null) _grad.AsSpan(0, Length).Clear();
        if (_rowGradPresent) _rowGrad!.Clear(); // still a gradient, of no rows: zero
    }


    /// <summary>
    /// Set on the outputs of a multi-output op whose joint closure reads their gradients after their own
    /// closures ran (<see cref="Ops.LstmCell"/>): Backward then keeps their gradient to the end of the pass.
    /// </summary>
    internal bool GradReadLater { get; set; }

    /// <summary>
    /// Set on an output of a multi-output op whose joint closure reads its values after the output itself was
    /// passed (<see cref="Ops.LstmCell"/>'s c'): Backward without kept values then leaves them to the joint,
    /// which lists the output among its saved tensors and so returns it with them.
    /// </summary>
    internal bool ValuesReadLater { get; set; }

    /// <summary>
    /// Set on a <see cref="Ops.ProjectSteps"/> output: the step ops that read it hand each step's gradient
    /// here instead of into <see cref="Grad"/>, which then exists only if some other consumer reads it whole.
    /// </summary>
    internal StepGradientSink? StepSink { get; set; }

    /// <summary>
    /// Drops the gradient of an interior node once Backward has passed it on: a pooled buffer goes back to
    /// the pool at once, so later gradients of the same pass reuse it instead of the pass holding every one.
    /// </summary>
    internal void ReleaseGrad()
    {
        DropRowGrad();
        if (_grad is null) return;
        if (PooledGrad) BufferPool.Shared.Return(_grad);
        _grad = null;
    }

    /// <summary>Whether the gradient buffer comes from the pool (a scoped tensor, or one whose gradient was dropped) or is a plain array.</summary>
    private bool PooledGrad => _scope is not null || _gradFromPool;

    /// <summary>
    /// Forgets the gradient instead of zeroing it (PyTorch's <c>zero_grad(set_to_none=True)</c>): the buffer goes
    /// back to the pool, and from then on this tensor's gradient is rented (zeroed) when a backward first reaches
    /// it. A parameter's gradient then only exists from its backward to the optimizer step, and the same memory
    /// holds activations during the next forward: the peak of a step no longer holds every gradient beside every
    /// activation.
    /// </summary>
    public void DropGrad()
    {
        if (_scope is not null) { ReleaseGrad(); return; }
        DropRowGrad();
        if (_grad is not null && _gradFromPool) BufferPool.Shared.Return(_grad);
        _grad = null;
        _gradFromPool = true;
    }

    /// <summary>Size of dimension <paramref name="dim"/>; negative counts from the end.</summary>
    public int Dim(int dim) => Shape[dim < 0 ? Shape.Length + dim : dim];

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item()
    {
        if (Length != 1) throw new InvalidOperationException($"Item() needs one element, tensor has shape {ShapeOf.Format(Shape)}");
        return Data[0];
    }

    /// <summary>A copy of the values in a new array.</summary>
    public float[] ToArray() => Data.ToArray();

    /// <summary>
    /// Records that this tensor was computed from <paramref name="parents"/>; <paramref name="backward"/>
    /// must add this tensor's gradient contribution into those parents that require grad.
    /// Does nothing under <see cref="GradMode.Off"/> or when no parent requires grad.
    /// </summary>
    internal Tensor Attach(Action backward, params Tensor[] parents)
    {
        if (!GradMode.IsEnabled) return this;
        bool any = false;
        foreach (var p in parents) any |= p.RequiresGrad;
        if (!any) return this;
        RequiresGrad = true;
        Parents = parents;
        BackwardFn = backward;
        return this;
    }

    /// <summary>
    /// Hands this node the op's internal tensors that only its backward reads (a cell's gates, a mask),
    /// so that <see cref="Backward(Tensor?, bool)"/> without kept values returns them with the node.
    /// Never pass a parent, or another node's output unless that node is marked <see cref="ValuesReadLater"/>.
    /// </summary>
    internal Tensor Saving(params Tensor[] saved)
    {
        if (BackwardFn is not null) _saved = saved;
        return this;
    }

    /// <summary>
    /// Returns the values of a node the backward pass has gone through, with its saved tensors, to the
    /// pool (scoped tensors only) and drops its closure; reading the values afterwards throws. The root
    /// of the pass keeps its own values (<paramref name="keepOwn"/>): the caller reads the loss.
    /// </summary>
    internal void ReleaseValues(bool keepOwn = false)
    {
        if (_scope is null) return;
        if (!keepOwn) FreeValues();
        if (_saved is not null)
            foreach (var s in _saved) s.ReleaseValues();
        _saved = null;
        StepSink = null;
        Parents = [];
        BackwardFn = null;
    }

    /// <summary>
    /// Returns the values of a scoped tensor to the pool before its scope ends, for an intermediate that the
    /// code which made it knows no one reads again (a sequence's input projection once its steps have run:
    /// the cells keep what their backward needs). Its gradient still flows; reading the values throws.
    /// </summary>
    internal void FreeValues()
    {
        if (_scope is null || _data is null) return;
        BufferPool.Shared.Return(_data);
        _data = null;
        _valuesFreed = true;
    }

    /// <summary>Whether this tensor takes part in a graph (it needs a gradient).</summary>
    internal bool IsTracked => RequiresGrad;

    /// <summary>
    /// Back-propagates from this tensor. For a scalar the seed gradient is 1; otherwise pass
    /// <paramref name="seed"/> of the same shape. Gradients accumulate into every tensor that requires grad.
    /// </summary>
    /// <param name="seed">the gradient of this tensor (null: 1 for a one-element tensor)</param>
    /// <param name="keepValues">
    /// false: as PyTorch frees a graph's saved tensors, the values of every node the pass has gone through
    /// (every tensor an op computed, except this one) go back to the pool at once with the tensors their
    /// backward saved, instead of at the end of the scope, so the pass's memory shrinks as it goes; reading
    /// such a value afterwards throws, and the graph cannot be back-propagated again. For a training step
    /// that reads nothing but the loss and the parameters' gradients.
    /// </param>
    public void Backward(Tensor? seed = null, bool keepValues = true) => Autograd.Backward(this, seed, keepValues);

    /// <summary>Cuts this tensor from its graph (keeps values, drops the backward closure).</summary>
    public Tensor Detach()
    {
        Parents = [];
        BackwardFn = null;
        return this;
    }

    /// <summary>Called by the owning scope: the buffers go back to the pool and the tensor is dead.</summary>
    internal void Release()
    {
        DropRowGrad();
        if (_data is not null) BufferPool.Shared.Return(_data);
        if (_grad is not null) BufferPool.Shared.Return(_grad);
        _data = null;
        _grad = null;
        _valuesFreed = false;
        _saved = null;
        StepSink = null;
        Parents = [];
        BackwardFn = null;
    }

    /// <summary>Throws once the scope has ended; a node whose values the backward pass freed still has a gradient.</summary>
    private void Usable()
    {
        if (!_valuesFreed) Live();
    }

    private float[] Live() =>
        _data ?? throw (_valuesFreed
            ? new InvalidOperationException($"tensor {ShapeOf.Format(Shape)}{(Name is null ? "" : " " + Name)} was read after its values were freed (by Backward(keepValues: false), or by the code that made it once its consumers had run); read it before, or keep the values")
            : new ObjectDisposedException(Name ?? "tensor",
                $"tensor {ShapeOf.Format(Shape)} was used after its TensorScope ended; keep it with TensorScope.Keep or copy it out"));

    /// <summary>Moves a scoped tensor out of its scope so it survives the scope's end (e.g. a decoding result).</summary>
    internal void Untrack() => _scope?.Untrack(this);

    /// <summary>The scope that owns this tensor's buffers (null: the GC owns them).</summary>
    internal TensorScope? Scope => _scope;

    /// <summary>Hands ownership to <paramref name="scope"/> (see <see cref="TensorScope.Promote"/>).</summary>
    internal void MoveTo(TensorScope? scope)
    {
        _scope?.Untrack(this);
        _scope = scope;
        scope?.Track(this);
    }

    /// <summary>The shape and name, such as <c>Tensor[2, 3] enc.w</c>, for messages and the debugger; never the values.</summary>
    public override string ToString() => $"Tensor{ShapeOf.Format(Shape)}{(Name is null ? "" : " " + Name)}";
}
