namespace Attend.Testing;

/// <summary>
/// The repository root and the test data in <c>tests/fixtures</c> (shared by every test project as a linked
/// file). A missing fixture fails the test that reads it with a message naming the file and the command that
/// brings it back, never a silent skip or an empty theory.
/// </summary>
internal static class Fixtures
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Attend.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no folder containing Attend.slnx above {AppContext.BaseDirectory}");
    });

    /// <summary>The repository root (the folder with Attend.slnx).</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The folder of all fixtures, <c>tests/fixtures</c>.</summary>
    public static string Folder => Path.Combine(RepoRoot, "tests", "fixtures");

    /// <summary>The full path of an existing fixture file, e.g. <c>File("golden", "lstm.safetensors")</c>.</summary>
    public static string FilePath(params string[] parts)
    {
        string path = Path.Combine([Folder, .. parts]);
        if (!File.Exists(path)) throw Missing(path);
        return path;
    }

    /// <summary>The full path of an existing fixture folder, e.g. <c>Dir("data", "multi30k")</c>.</summary>
    public static string Dir(params string[] parts)
    {
        string path = Path.Combine([Folder, .. parts]);
        if (!Directory.Exists(path)) throw Missing(path);
        return path;
    }

    private static FileNotFoundException Missing(string path)
    {
        string relative = Path.GetRelativePath(RepoRoot, path);
        return new FileNotFoundException(
            $"test fixture {relative} is missing: it ships with the repository; restore it with " +
            "`git checkout -- tests/fixtures` (tests/fixtures/README.md says what each file is)", path);
    }
}
