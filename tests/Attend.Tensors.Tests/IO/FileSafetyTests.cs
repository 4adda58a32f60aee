// The shared file checks: which paths are refused as inputs, when two names are one file, and that an atomic
// write that fails leaves the old file as it was.
using System.Diagnostics;
using Attend.Tensors.IO;

namespace Attend.Tensors.Tests.IO;

public sealed class FileSafetyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("attend-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Temp(string name, string? text = null)
    {
        var path = Path.Combine(_dir, name);
        if (text is not null) File.WriteAllText(path, text);
        return path;
    }

    private static void Run(string program, params string[] args)
    {
        using var p = Process.Start(program, args);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Directories_devices_and_named_pipes_are_refused_as_inputs_regular_and_missing_files_pass()
    {
        var fifo = Temp("fifo");
        Run("mkfifo", fifo);
        Assert.Equal("/dev/zero: is not a regular file (a character device)", Assert.Throws<FileRefusedException>(() => InputFile.Check("/dev/zero")).Message);
        Assert.Equal($"{_dir}: is a directory, not a file", Assert.Throws<FileRefusedException>(() => InputFile.Check(_dir)).Message);
        Assert.Equal($"{fifo}: is not a regular file (a named pipe)", Assert.Throws<FileRefusedException>(() => InputFile.Check(fifo)).Message);
        InputFile.Check(Temp("plain.txt", "x\n"));
        InputFile.Check(Temp("missing.txt"));
        // A symbolic link is judged by what it points at.
        File.CreateSymbolicLink(Temp("zero-link"), "/dev/zero");
        Assert.Throws<FileRefusedException>(() => InputFile.Check(Temp("zero-link")));
    }

    [Fact]
    public void A_whole_file_read_stops_at_its_limit()
    {
        var big = Temp("big.txt", new string('x', 5000));
        Assert.Contains("larger than 4096 bytes, the limit for a test file",
            Assert.Throws<FileRefusedException>(() => InputFile.ReadAllBytes(big, 4096, "a test file")).Message);
        Assert.Equal(5000, InputFile.ReadAllBytes(big, 5000).Length);
    }

    [Fact]
    public void The_same_file_is_recognised_through_its_name_a_symlink_and_a_hard_link()
    {
        var input = Temp("in.txt", "data\n");
        var other = Temp("other.txt", "data\n");
        var sym = Temp("sym.txt");
        File.CreateSymbolicLink(sym, input);
        var hard = Temp("hard.txt");
        Run("ln", input, hard);
        Assert.True(FileStat.SameFile(input, Path.Combine(_dir, ".", "in.txt")));
        Assert.True(FileStat.SameFile(input, sym));
        Assert.True(FileStat.SameFile(input, hard));
        Assert.False(FileStat.SameFile(input, other)); // same content, another file
        Assert.False(FileStat.SameFile(input, Temp("missing.txt")));
        foreach (var output in new[] { input, sym, hard })
        {
            var e = Assert.Throws<FileRefusedException>(() => OutputFile.Check([("--output", output)], [("--input", input)]));
            Assert.Contains($"--output is the same file as --input {input}", e.Message);
        }
        OutputFile.Check([("--output", other), ("--log", null)], [("--input", input), ("--codes", "-")]);
        Assert.Contains("--b and --a name the same file",
            Assert.Throws<FileRefusedException>(() => OutputFile.Check([("--a", Temp("new.txt")), ("--b", Temp("new.txt"))], [])).Message);
        Assert.Equal("data\n", File.ReadAllText(input));
    }

    [Fact]
    public void A_failed_atomic_write_leaves_the_old_file_intact_and_no_temporary()
    {
        var path = Temp("out.txt", "old contents\n");
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("new, half written"u8);
            throw new IOException("disk full");
        }));
        Assert.Equal("disk full", e.Message);
        Assert.Equal("old contents\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
        AtomicFile.WriteAllText(path, "new\n");
        Assert.Equal("new\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void An_atomic_write_through_a_symlink_replaces_the_target_and_keeps_the_link()
    {
        var target = Temp("target.txt", "old\n");
        var link = Temp("link.txt");
        File.CreateSymbolicLink(link, target);
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AtomicFile.WriteAllText(link, "new\n");
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal("new\n", File.ReadAllText(target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
        // A device is written in place, never renamed over.
        AtomicFile.WriteAllText("/dev/null", "discarded");
        Assert.Equal(FileKind.CharDevice, FileStat.Of("/dev/null").Kind);
        Assert.Throws<FileRefusedException>(() => AtomicFile.WriteAllText(_dir, "x"));
    }
}
