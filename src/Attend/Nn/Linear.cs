using Attend.Tensors;

namespace Attend.Nn;

/// <summary>y = x·Wᵀ + b, with PyTorch's names (<c>weight</c> [Out, In], <c>bias</c> [Out]) and init.</summary>
internal sealed class Linear : Module
{
    public int In { get; }
    public int Out { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        In = inFeatures;
        Out = outFeatures;
        Weight = Parameter("weight", outFeatures, inFeatures);
        Bias = bias ? Parameter("bias", outFeatures) : null;
    }

    /// <summary>x [..., In] → [..., Out].</summary>
    public Tensor Forward(Tensor x) => Ops.Linear(x, Weight, Bias);

    protected override void InitializeSelf(Rng rng)
    {
        UniformFanIn(Weight, In, rng);
        if (Bias is not null) UniformFanIn(Bias, In, rng);
    }
}
