namespace Attend.Tests.Evaluation;

/// <summary>Locates the repository root (the folder holding Attend.slnx) and the shared read-only data beside it.</summary>
internal static class EvalPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Shared(params string[] parts) =>
        Path.GetFullPath(Path.Combine([RepoRoot, "..", "shared", .. parts]));

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Attend.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Attend.slnx not found above " + AppContext.BaseDirectory);
    }
}
