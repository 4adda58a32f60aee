// Where a verb writes its text: stdout, or a file written atomically, so the file appears only when the verb
// succeeds and an error halfway leaves the old file (or none), never a truncated one.
using System.Text;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Cli.Commands;

/// <summary>A UTF-8 (no BOM, "\n") writer to stdout or to an <see cref="AtomicFile"/>; call <see cref="Commit"/> at the end.</summary>
internal sealed class OutputTarget : IDisposable
{
    private readonly AtomicFile? _file;

    private OutputTarget(TextWriter writer, AtomicFile? file) => (Writer, _file) = (writer, file);

    public TextWriter Writer { get; }

    /// <summary>The file at <paramref name="path"/>, or <paramref name="stdout"/> (default: the process' stdout) when it is null or "-".</summary>
    public static OutputTarget Open(string? path, TextWriter? stdout = null)
    {
        if (path is null or "-")
            return new OutputTarget(stdout ?? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { NewLine = "\n" }, null);
        AtomicFile file;
        try { file = AtomicFile.Create(path); }
        catch (FileRefusedException) { throw; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new TextDataException($"cannot write ({e.Message})", path); }
        return new OutputTarget(new StreamWriter(file.Stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" }, file);
    }

    /// <summary>Flushes; for a file, puts it in place of the old one.</summary>
    public void Commit()
    {
        Writer.Flush();
        _file?.Commit();
    }

    /// <summary>Without a commit, a file output is discarded and the old file stays (the writer holds no handle of its own).</summary>
    public void Dispose()
    {
        if (_file is null) Writer.Flush();
        else _file.Dispose();
    }
}
