// Writing a file all-or-nothing: the bytes go to a temporary file beside the target and replace it by a rename
// only when complete, so a crash, a kill or an error halfway leaves the old file (or no file), never a
// truncated one. Every output Attend writes (checkpoint files, translations, codes, vocabularies, plots) goes
// through here.
namespace Attend.Tensors.IO;

/// <summary>
/// An output file being written: write to <see cref="Stream"/>, then <see cref="Commit"/>; disposing without a
/// commit deletes the temporary file and leaves the target as it was. A symbolic link as the target is kept and
/// the file it points at is replaced; a target that is a device or pipe (<c>/dev/null</c>, <c>/dev/stdout</c>)
/// is written directly, since it cannot be renamed over. Not thread-safe.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private readonly string _target;
    private readonly string? _temp;
    private readonly FileStream _stream;
    private bool _committed;

    private AtomicFile(string target, string? temp, FileStream stream) => (_target, _temp, _stream) = (target, temp, stream);

    /// <summary>The stream to write; its bytes reach the target only at <see cref="Commit"/>.</summary>
    public Stream Stream => _stream;

    /// <summary>Starts writing <paramref name="path"/>; its folder must exist.</summary>
    public static AtomicFile Create(string path)
    {
        var target = Path.GetFullPath(path);
        try { target = new FileInfo(target).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? target; }
        catch (IOException) { } // a link loop or dangling chain: replace the name itself
        var kind = FileStat.Of(target).Kind;
        if (kind == FileKind.Directory) throw new FileRefusedException(path, "is a directory; give a file name");
        if (kind is not (FileKind.Regular or FileKind.Missing))
            return new AtomicFile(target, null, new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16));
        var dir = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(dir)) throw new FileRefusedException(path, $"cannot write: folder {dir} does not exist");
        var temp = Path.Combine(dir, $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        FileStream stream;
        try { stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16); }
        catch (UnauthorizedAccessException) { throw new FileRefusedException(path, $"cannot write: no permission to create files in {dir}"); }
        if (kind == FileKind.Regular && !OperatingSystem.IsWindows())
        {
            try { File.SetUnixFileMode(temp, File.GetUnixFileMode(target)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // keep the default mode
        }
        return new AtomicFile(target, temp, stream);
    }

    /// <summary>Flushes the bytes to disk and puts the new file in place of the old one in one rename.</summary>
    public void Commit()
    {
        if (_committed) return;
        _stream.Flush(flushToDisk: _temp is not null);
        _stream.Dispose();
        if (_temp is not null) File.Move(_temp, _target, overwrite: true);
        _committed = true;
    }

    /// <summary>Without a <see cref="Commit"/>, discards what was written: the target stays as it was.</summary>
    public void Dispose()
    {
        if (_committed) return;
        _stream.Dispose();
        if (_temp is null) return;
        try { File.Delete(_temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, committing only if it returns normally.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        using var file = Create(path);
        write(file.Stream);
        file.Commit();
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/> in one step.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = Create(path);
        file.Stream.Write(bytes);
        file.Commit();
    }

    /// <summary>Writes text as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));
}
