using Attend.Nn;

namespace Attend.Model;

/// <summary>
/// Bounds on the size of a model, checked before anything is allocated so that an absurd config is one line naming
/// its key instead of an overflowed tensor size or gigabytes of memory: each size (E, H, A) and the layer counts
/// have a range (config attributes), and the whole model a parameter budget (<c>model.max_parameters</c>).
/// </summary>
internal static class ModelLimits
{
    /// <summary>Largest embedding, hidden or attention size.</summary>
    public const int MaxSize = 16384;

    /// <summary>Most encoder or decoder layers.</summary>
    public const int MaxLayers = 64;

    /// <summary>Default parameter budget: 4 GB of weights, about 16 GB to train with Adam (weights, gradients, two moments).</summary>
    public const long DefaultMaxParameters = 1_000_000_000;

    /// <summary>
    /// A lower bound on the parameter count of <paramref name="c"/>: embeddings, output projection and recurrent
    /// weight matrices (biases, attention and bridge come on top). Exact arithmetic in 128 bits, so no config overflows it.
    /// </summary>
    public static Int128 MinimumParameters(ModelConfig c)
    {
        Int128 e = c.EmbeddingSize, h = c.HiddenSize, gates = c.Rnn == RnnKind.Lstm ? 4 : 3, dirs = c.EncoderDirections;
        Int128 embeddings = (Int128)c.SourceVocab * e + (Int128)c.TargetVocab * e;
        Int128 output = c.TieEmbeddings ? 0 : (Int128)c.TargetVocab * c.ReadoutSize;
        Int128 encoder = dirs * gates * h * (e + h) + (c.EncoderLayers - 1) * dirs * gates * h * (h * dirs + h);
        Int128 decoder = gates * h * (e + h) + (c.DecoderLayers - 1) * gates * h * (h + h);
        return embeddings + output + encoder + decoder;
    }
}
