using Attend.Tensors;

namespace Attend.Nn;

/// <summary>
/// A layer or model that owns parameters. Each module registers its own parameters and children once,
/// in its constructor, under PyTorch's names; enumeration, zero-grad, parameter counts, optimizers and
/// checkpoints all derive from that single list, so nothing is ever listed twice by hand.
/// </summary>
internal abstract class Module
{
    private readonly List<(string Name, Tensor Param)> _parameters = [];
    private readonly List<(string Name, Module Child)> _children = [];

    /// <summary>Creates a parameter of <paramref name="shape"/> registered as <paramref name="name"/>.</summary>
    protected Tensor Parameter(string name, params int[] shape)
    {
        var p = Tensor.Parameter(name, shape);
        _parameters.Add((name, p));
        return p;
    }

    /// <summary>Registers an existing tensor (a tied weight owned elsewhere is NOT registered twice).</summary>
    protected Tensor Register(string name, Tensor p)
    {
        _parameters.Add((name, p));
        return p;
    }

    /// <summary>
    /// Registers a child module. Its parameters appear as <c>name.param</c>; an empty name flattens them
    /// into this module (PyTorch's decoder owns <c>W</c>, <c>U</c>, <c>v</c> directly, while we keep them
    /// in an attention object).
    /// </summary>
    protected T Child<T>(string name, T child) where T : Module
    {
        _children.Add((name, child));
        return child;
    }

    /// <summary>Every parameter with its full dotted name, in registration order (depth first).</summary>
    public IEnumerable<(string Name, Tensor Param)> NamedParameters()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        return Walk("", this, seen);
    }

    private static IEnumerable<(string Name, Tensor Param)> Walk(string prefix, Module m, HashSet<Tensor> seen)
    {
        foreach (var (name, p) in m._parameters)
            if (seen.Add(p)) yield return (prefix + name, p);
        foreach (var (name, child) in m._children)
            foreach (var item in Walk(name.Length == 0 ? prefix : prefix + name + ".", child, seen))
                yield return item;
    }

    /// <summary>The parameters, in the order of <see cref="NamedParameters"/>.</summary>
    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(x => x.Param).ToList();

    /// <summary>Total number of trainable values.</summary>
    public long ParameterCount() => NamedParameters().Sum(x => (long)x.Param.Length);

    /// <summary>
    /// Zeroes every parameter's gradient or, with <paramref name="setToNone"/>, forgets it (<see cref="Tensor.DropGrad"/>:
    /// the next backward rents it from the pool, whose memory the forward's activations used meanwhile).
    /// </summary>
    public void ZeroGrad(bool setToNone = false)
    {
        foreach (var (_, p) in NamedParameters())
            if (setToNone) p.DropGrad();
            else p.ZeroGrad();
    }

    /// <summary>Parameter by full name; throws naming the missing name.</summary>
    public Tensor GetParameter(string name) =>
        NamedParameters().FirstOrDefault(x => x.Name == name).Param
        ?? throw new KeyNotFoundException($"{GetType().Name} has no parameter '{name}'");

    /// <summary>Initialises the parameters as PyTorch does for this layer (children included).</summary>
    public void Initialize(Rng rng)
    {
        InitializeSelf(rng);
        foreach (var (_, child) in _children) child.Initialize(rng);
    }

    /// <summary>Initialises this module's own parameters (not its children's).</summary>
    protected abstract void InitializeSelf(Rng rng);

    /// <summary>Uniform(−1/√fanIn, 1/√fanIn): PyTorch's default for Linear, GRU and LSTM weights.</summary>
    protected static void UniformFanIn(Tensor p, int fanIn, Rng rng)
    {
        float bound = fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
        rng.FillUniform(p.Data, -bound, bound);
    }
}
