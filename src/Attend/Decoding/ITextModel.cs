// What translating text needs from a loaded model: the network, how its text is tokenized, and its vocabularies.
using Attend.Model;
using Attend.Text;

namespace Attend.Decoding;

/// <summary>A model with its text side and vocabularies; a loaded run (<c>Attend.Runs.LoadedModel</c>) is one.</summary>
internal interface ITextModel
{
    /// <summary>The network.</summary>
    Seq2Seq Model { get; }
    /// <summary>The run's tokenizer, normalizer and BPE codes.</summary>
    TextSide Text { get; }
    /// <summary>Source token ↔ id.</summary>
    Vocabulary SourceVocab { get; }
    /// <summary>Target token ↔ id.</summary>
    Vocabulary TargetVocab { get; }
}
