namespace Attend.Tests.Training;

/// <summary>The repository root (the folder holding Attend.slnx), found by walking up from the test binaries.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Attend.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no folder containing Attend.slnx above {AppContext.BaseDirectory}");
    }

    /// <summary>A fresh empty temporary directory.</summary>
    public static string TempDir(string tag)
    {
        var d = Path.Combine(Path.GetTempPath(), $"attend-{tag}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }
}
