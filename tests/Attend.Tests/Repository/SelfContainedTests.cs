using Attend.Testing;

namespace Attend.Tests.Repository;

/// <summary>
/// The repository stands on its own: the tests read their data from tests/fixtures, nothing in the tree points
/// at a folder beside the clone, and a missing fixture fails loudly with the command that restores it.
/// </summary>
public class SelfContainedTests
{
    private static readonly string[] TextEndings = [".cs", ".csproj", ".props", ".slnx", ".sh", ".py", ".md", ".yaml", ".yml", ".json", ".js", ".html", ".css"];

    /// <summary>Tracked-looking text files of the tree: everything but build output, runs and the fixtures' data.</summary>
    private static IEnumerable<string> SourceFiles()
    {
        string root = Fixtures.RepoRoot;
        string[] anywhere = ["bin", "obj", ".git", "TestResults", "node_modules"];
        string[] fromRoot = ["runs", "out", "data", Path.Combine("tests", "fixtures")];
        var stack = new Stack<string>([root]);
        while (stack.Count > 0)
        {
            string dir = stack.Pop();
            foreach (var sub in Directory.EnumerateDirectories(dir))
                if (!anywhere.Contains(Path.GetFileName(sub)) && !fromRoot.Contains(Path.GetRelativePath(root, sub))) stack.Push(sub);
            foreach (var file in Directory.EnumerateFiles(dir))
                if (TextEndings.Contains(Path.GetExtension(file)) || Path.GetFileName(file) == "run") yield return file;
        }
    }

    // Written in two pieces so that this file does not match itself.
    private const string Beside = "../" + "shared", BesideParts = "\"..\", " + "\"shared\"";

    [Fact]
    public void No_file_reads_a_folder_beside_the_repository()
    {
        var hits = SourceFiles()
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => x.line.Contains(Beside) || x.line.Contains(BesideParts))
            .Select(x => $"{Path.GetRelativePath(Fixtures.RepoRoot, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(hits.Count == 0, "these lines read a folder beside the repository:\n" + string.Join("\n", hits));
    }

    [Fact]
    public void A_missing_fixture_fails_with_the_command_that_restores_it()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Fixtures.FilePath("golden", "no-such-file.safetensors"));
        Assert.Contains(Path.Combine("tests", "fixtures", "golden", "no-such-file.safetensors"), e.Message);
        Assert.Contains("git checkout -- tests/fixtures", e.Message);
        Assert.Throws<FileNotFoundException>(() => Fixtures.Dir("data", "no-such-corpus"));
    }

    [Fact]
    public void The_fixture_corpora_match_their_checksums()
    {
        string dir = Fixtures.Dir("data");
        var lines = File.ReadAllLines(Path.Combine(dir, "SHA256SUMS"));
        Assert.True(lines.Length >= 30, $"SHA256SUMS lists {lines.Length} files");
        foreach (var line in lines)
        {
            string sha = line[..64], name = line[66..];
            string path = Path.Combine(dir, name);
            Assert.True(File.Exists(path), $"{name} is listed in SHA256SUMS but missing");
            using var f = File.OpenRead(path);
            Assert.True(sha == Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f)), $"{name}: SHA-256 differs from SHA256SUMS");
        }
    }
}
