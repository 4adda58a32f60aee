// A checkpoint loaded for translation: the model with its run's config, vocabularies and text side.
using Attend.Config;
using Attend.Decoding;
using Attend.Model;
using Attend.Text;

namespace Attend.Runs;

/// <summary>A checkpoint loaded for inference: the model, how its text is tokenized, and its vocabularies.</summary>
internal sealed record LoadedModel(Seq2Seq Model, RunConfig Config, Vocabulary SourceVocab, Vocabulary TargetVocab, string Directory) : ITextModel
{
    /// <summary>The run's tokenizer, normalizer and BPE codes (stateless, safe to share between threads).</summary>
    public TextSide Text { get; } = RunDirectory.LoadTextSide(Config.Data, Directory);
}
