// The check every command runs on the paths it will write before it reads anything: an output must not be a
// directory, nor the same file as one of the command's inputs (compared by device and inode, so a symlink or
// hard link to an input counts), nor the same file as another of its outputs.
namespace Attend.Tensors.IO;

/// <summary>Refuses output paths that would overwrite an input.</summary>
public static class OutputFile
{
    /// <summary>
    /// Throws <see cref="FileRefusedException"/> naming both flags when an output is an input or another output.
    /// Entries whose path is null or "-" (stdout/stdin) are skipped.
    /// </summary>
    public static void Check(IEnumerable<(string Flag, string? Path)> outputs, IEnumerable<(string Flag, string? Path)> inputs)
    {
        var outs = outputs.Where(o => o.Path is not null and not "-").ToList();
        var ins = inputs.Where(i => i.Path is not null and not "-").ToList();
        for (int i = 0; i < outs.Count; i++)
        {
            var (flag, path) = outs[i];
            if (FileStat.Of(path!).Kind == FileKind.Directory)
                throw new FileRefusedException(path!, $"{flag} is a directory; give a file name");
            foreach (var (inFlag, inPath) in ins)
                if (FileStat.SameFile(path!, inPath!))
                    throw new FileRefusedException(path!, $"{flag} is the same file as {inFlag} {inPath}; refusing to overwrite an input");
            for (int j = 0; j < i; j++)
                if (FileStat.SameFile(path!, outs[j].Path!) || Path.GetFullPath(path!) == Path.GetFullPath(outs[j].Path!))
                    throw new FileRefusedException(path!, $"{flag} and {outs[j].Flag} name the same file");
        }
    }
}
