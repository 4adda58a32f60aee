// What a path is on disk (a regular file, a directory, a pipe, a device…) and which file it is (device and
// inode), from stat(2), so that input checks and "is this output one of my inputs?" compare files, not names.
using System.Runtime.InteropServices;

namespace Attend.Tensors.IO;

/// <summary>The type of a file system entry, after following symbolic links.</summary>
public enum FileKind
{
    /// <summary>Nothing at the path (or a dangling symbolic link).</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A named pipe (FIFO).</summary>
    Pipe,
    /// <summary>A character device, such as <c>/dev/null</c> or a terminal.</summary>
    CharDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>A Unix domain socket.</summary>
    Socket,
    /// <summary>Anything else <c>stat</c> reports.</summary>
    Other,
}

/// <summary>
/// A path's kind and identity. On Linux (x64, arm64) it comes from libc <c>stat</c> (symbolic links followed), so
/// two names of one file (a symlink, a hard link, <c>a/../b</c>) have the same <see cref="Device"/> and
/// <see cref="Inode"/>. Elsewhere only Missing/Regular/Directory are told apart and identity falls back to the
/// fully resolved path (<see cref="Inode"/> is then 0).
/// </summary>
public readonly record struct FileStat(FileKind Kind, ulong Device, ulong Inode)
{
    // st_dev and st_ino are the first two 64-bit fields of struct stat on both 64-bit Linux ABIs; st_mode follows
    // st_nlink (8 bytes) on x86-64 and comes straight after st_ino on the generic (arm64) layout.
    private const int StatBufferBytes = 256;
    private const uint TypeMask = 0xF000, Fifo = 0x1000, Chr = 0x2000, Dir = 0x4000, Blk = 0x6000, Reg = 0x8000, Sock = 0xC000;

    private static readonly int ModeOffset = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 24,
        Architecture.Arm64 => 16,
        _ => -1,
    };

    private static bool _noStatSymbol;

    /// <summary>Stats <paramref name="path"/>, following symbolic links; a path that cannot be stat'ed is Missing.</summary>
    public static FileStat Of(string path)
    {
        if (OperatingSystem.IsLinux() && ModeOffset >= 0 && !_noStatSymbol)
        {
            var buf = new byte[StatBufferBytes];
            int rc;
            try { rc = Stat(path, buf); }
            catch (EntryPointNotFoundException)
            {
                // glibc before 2.33 exports only __xstat (version 1 on x86-64, 0 on arm64).
                try { rc = XStat(RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 1 : 0, path, buf); }
                catch (EntryPointNotFoundException) { _noStatSymbol = true; return Portable(path); }
            }
            if (rc != 0) return new FileStat(FileKind.Missing, 0, 0);
            uint mode = BitConverter.ToUInt32(buf, ModeOffset);
            var kind = (mode & TypeMask) switch
            {
                Reg => FileKind.Regular,
                Dir => FileKind.Directory,
                Fifo => FileKind.Pipe,
                Chr => FileKind.CharDevice,
                Blk => FileKind.BlockDevice,
                Sock => FileKind.Socket,
                _ => FileKind.Other,
            };
            return new FileStat(kind, BitConverter.ToUInt64(buf, 0), BitConverter.ToUInt64(buf, 8));
        }
        return Portable(path);
    }

    private static FileStat Portable(string path) =>
        new(Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing, 0, 0);

    /// <summary>True when both paths exist and name the same file or directory (symlinks and hard links included).</summary>
    public static bool SameFile(string a, string b)
    {
        var (sa, sb) = (Of(a), Of(b));
        if (sa.Kind == FileKind.Missing || sb.Kind == FileKind.Missing) return false;
        if (sa.Inode != 0 && sb.Inode != 0) return sa.Device == sb.Device && sa.Inode == sb.Inode;
        return string.Equals(Resolved(a), Resolved(b), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>The full path with a final symbolic link followed (for the fallback comparison).</summary>
    private static string Resolved(string path)
    {
        var full = Path.GetFullPath(path);
        try { return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full; }
        catch (IOException) { return full; }
    }

    /// <summary>"a directory", "a named pipe", "a character device"… for error messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.Pipe => "a named pipe",
        FileKind.CharDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        _ => "a special file",
    };

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buf);

    [DllImport("libc", EntryPoint = "__xstat", SetLastError = true)]
    private static extern int XStat(int version, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buf);
}
