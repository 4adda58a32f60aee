namespace Attend.Tests.Training;

/// <summary>The repository root, and fresh temporary folders for tests that write runs.</summary>
internal static class RepoPaths
{
    /// <summary>The repository root (the folder holding Attend.slnx).</summary>
    public static string Root => Attend.Testing.Fixtures.RepoRoot;

    /// <summary>A fresh empty temporary directory.</summary>
    public static string TempDir(string tag)
    {
        var d = Path.Combine(Path.GetTempPath(), $"attend-{tag}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }
}
