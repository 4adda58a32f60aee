using Attend.Nn;
using Attend.Tensors;

namespace Attend.Model;

/// <summary>What the encoder hands to the decoder.</summary>
/// <param name="Outputs">[B, S, D·H], exactly 0 at padded positions; [B, S, H] = h→ + h← when <paramref name="Summed"/></param>
/// <param name="Final">final state per (layer, direction), taken at each sentence's last real token</param>
/// <param name="Last">[h→; h←] of the top layer, [B, D·H]</param>
/// <param name="Summed">a bidirectional encoder's directions were summed (the summed memory), not concatenated</param>
internal sealed record EncoderOutput(Tensor Outputs, RnnState Final, Tensor Last, bool Summed = false);

/// <summary>Source embedding (padding row 0) and a (bidirectional) recurrent stack over the packed source.</summary>
internal sealed class Encoder : Module
{
    public ModelConfig Config { get; }
    public Embedding Embed { get; }
    public Rnn Rnn { get; }
    private readonly Dropout _dropout;

    public Encoder(ModelConfig config)
    {
        Config = config;
        Embed = Child("embed", new Embedding(config.SourceVocab, config.EmbeddingSize, config.PadId));
        Rnn = Child("rnn", new Rnn(config.Rnn, config.EmbeddingSize, config.HiddenSize, config.EncoderLayers,
            config.BidirectionalEncoder, config.Dropout));
        _dropout = new Dropout(config.Dropout);
    }

    /// <summary>src ids [B, S] (row-major) with lengths [B]; <paramref name="sumDirections"/>: a bidirectional encoder's outputs are h→ + h←.</summary>
    public EncoderOutput Forward(ReadOnlySpan<int> src, int batch, ReadOnlySpan<int> lengths, Rng? dropoutRng = null, bool sumDirections = false)
    {
        int s = src.Length / Math.Max(1, batch);
        var x = _dropout.Forward(Embed.Forward(src, batch, s), dropoutRng);
        bool sum = sumDirections && Rnn.Bidirectional;
        var (outputs, final) = Rnn.Forward(x, lengths, null, dropoutRng, sumDirections: sum);
        int top = (Rnn.Layers - 1) * Rnn.Directions;
        var last = Rnn.Bidirectional ? Ops.Concat([final.H[top], final.H[top + 1]], 1) : final.H[top];
        return new EncoderOutput(outputs, final, last, sum);
    }

    protected override void InitializeSelf(Rng rng) { }
}
