// The one exception TranslationModel.Load throws for a run it cannot use: which path, and what is wrong with it.
namespace Attend;

/// <summary>What is wrong with a path given to <see cref="TranslationModel.Load(string[])"/>.</summary>
public enum ModelLoadProblem
{
    /// <summary>The path does not exist, or is a file rather than a folder.</summary>
    NotFound,

    /// <summary>No checkpoint: no <c>model.safetensors</c> in the folder, nor in a <c>best/</c> or <c>last/</c>.</summary>
    NoCheckpoint,

    /// <summary>The checkpoint folder lacks a file it needs (sidecar, config, a vocabulary, BPE codes).</summary>
    MissingFile,

    /// <summary>
    /// A file is there but unreadable or inconsistent: weights whose hash does not match, a malformed vocabulary
    /// or config.
    /// </summary>
    Damaged,

    /// <summary>
    /// The models of an ensemble do not share their vocabularies, or a quantized checkpoint was asked for the other
    /// lower precision (int8 of a bf16 checkpoint, or bf16 of an int8 one).
    /// </summary>
    Incompatible,
}

/// <summary>
/// A run or checkpoint that cannot be loaded. <see cref="Exception.Message"/> is one line naming the path and
/// what is wrong; <see cref="Problem"/> says the same for a program; <see cref="Exception.InnerException"/>
/// holds the underlying error when there is one.
/// </summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>The path the problem is about: the folder given, or the checkpoint folder it resolved to.</summary>
    public string Path { get; }

    /// <summary>The kind of problem.</summary>
    public ModelLoadProblem Problem { get; }

    /// <summary>A load error about <paramref name="path"/>; the message is prefixed with the path.</summary>
    /// <param name="path">The folder or file the problem is about.</param>
    /// <param name="problem">The kind of problem.</param>
    /// <param name="message">What is wrong, without the path.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ModelLoadException(string path, ModelLoadProblem problem, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        Path = path;
        Problem = problem;
    }
}
