// The error for a path Attend will not read or write (a directory, a device, a pipe, an input given as an
// output): one line naming the path and why. It is an IOException so every command's error guard reports it.
namespace Attend.Tensors.IO;

/// <summary>A path refused before any byte was read or written; the message is "PATH: reason".</summary>
public sealed class FileRefusedException(string path, string reason) : IOException($"{path}: {reason}")
{
    /// <summary>The refused path, as given.</summary>
    public string Path { get; } = path;
}
