using System.Text.RegularExpressions;
using Attend.Testing;

namespace Attend.Tests.Repository;

/// <summary>
/// Folders of src/Attend depend one way: no top-level folder (Model, Training, Decoding, …, and "(root)" for the
/// files of the root namespace) uses a folder that uses it back, directly or through others. The graph is read
/// from the source: <c>using Attend.X</c> lines, qualified names (<c>Attend.X.</c>, <c>X.Type</c>) and bare
/// names of root-namespace types, which every file sees without a using.
/// </summary>
public class FolderCycleTests
{
    private const string Root = "(root)";

    // A private nested type is seen only inside its outer type, so it names nothing for other folders.
    private static readonly Regex Declaration = new(@"(?<!\bprivate\b[^\n;{}]*)\b(?:class|struct|interface|enum|record)\s+(?:(?:class|struct)\s+)?([A-Z]\w*)", RegexOptions.Compiled);
    private static readonly Regex UsingLine = new(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?Attend\.(\w+)", RegexOptions.Compiled | RegexOptions.Multiline);
    private static readonly Regex Qualified = new(@"(?<![\w.])Attend\.(\w+)\s*\.", RegexOptions.Compiled);
    private static readonly Regex Dotted = new(@"(?<![\w.])([A-Z]\w*)\s*\.\s*([A-Z]\w*)", RegexOptions.Compiled);
    private static readonly Regex Identifier = new(@"(?<![\w.])[A-Z]\w*", RegexOptions.Compiled);

    /// <summary>Source with comments, strings and chars blanked out, so that a word in a doc comment is no dependency.</summary>
    internal static string CodeOnly(string source)
    {
        var s = Regex.Replace(source, @"//[^\n]*|/\*.*?\*/", " ", RegexOptions.Singleline);
        s = Regex.Replace(s, @"@""(?:[^""]|"""")*""|""""""(?:.|\n)*?""""""|""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])+'", "\"\"");
        return s;
    }

    /// <summary>The top-level folder of a file under src/Attend, or "(root)" for a file directly in it.</summary>
    private static string FolderOf(string srcDir, string file)
    {
        var parts = Path.GetRelativePath(srcDir, file).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return parts.Length == 1 ? Root : parts[0];
    }

    /// <summary>For each folder, the folders its code uses. Sources are (folder, code) pairs, code already stripped.</summary>
    internal static Dictionary<string, SortedSet<string>> Graph(IReadOnlyList<(string Folder, string Code)> files)
    {
        var folders = files.Select(f => f.Folder).ToHashSet();
        var typesOf = folders.ToDictionary(f => f, _ => new HashSet<string>());
        foreach (var (folder, code) in files)
            foreach (Match m in Declaration.Matches(code)) typesOf[folder].Add(m.Groups[1].Value);
        var rootTypes = typesOf.GetValueOrDefault(Root) ?? [];

        var graph = folders.ToDictionary(f => f, _ => new SortedSet<string>(StringComparer.Ordinal));
        foreach (var (folder, code) in files)
        {
            void Use(string other) { if (other != folder && folders.Contains(other)) graph[folder].Add(other); }
            foreach (Match m in UsingLine.Matches(code)) Use(m.Groups[1].Value);
            foreach (Match m in Qualified.Matches(code)) Use(m.Groups[1].Value);
            foreach (Match m in Dotted.Matches(code))
                if (typesOf.TryGetValue(m.Groups[1].Value, out var types) && types.Contains(m.Groups[2].Value)) Use(m.Groups[1].Value);
            foreach (Match m in Identifier.Matches(code))
                if (rootTypes.Contains(m.Value) && !typesOf[folder].Contains(m.Value)) Use(Root);
        }
        return graph;
    }

    /// <summary>One cycle of the graph as "A → B → A", or null when there is none (depth-first, in name order).</summary>
    internal static string? FindCycle(Dictionary<string, SortedSet<string>> graph)
    {
        var state = new Dictionary<string, int>(); // 1 on the path, 2 done
        var path = new List<string>();
        string? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph[node])
            {
                if (state.GetValueOrDefault(next) == 1)
                    return string.Join(" → ", path.Skip(path.IndexOf(next)).Append(next));
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }

    private static List<(string Folder, string Code)> LibrarySources()
    {
        string src = Path.Combine(Fixtures.RepoRoot, "src", "Attend");
        return Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (FolderOf(src, f), CodeOnly(File.ReadAllText(f))))
            .ToList();
    }

    [Fact]
    public void No_folder_of_the_library_depends_on_a_folder_that_depends_back_on_it()
    {
        var graph = Graph(LibrarySources());
        Assert.True(graph.Count >= 10, $"found only {graph.Count} folders under src/Attend");
        var edges = string.Join("\n", graph.Select(kv => $"  {kv.Key} → {string.Join(", ", kv.Value)}"));
        string? cycle = FindCycle(graph);
        Assert.True(cycle is null, $"src/Attend has a folder cycle: {cycle}\nfolder graph:\n{edges}");
    }

    [Fact]
    public void Each_kind_of_reference_makes_an_edge_and_a_cycle_is_named()
    {
        var files = new List<(string, string)>
        {
            ("(root)", CodeOnly("namespace Attend; public sealed class Front { private record Hidden; }")),
            ("A", CodeOnly("using Attend.B;\nnamespace Attend.A; class TypeA { }")),
            ("B", CodeOnly("namespace Attend.B; class TypeB { void F() { var x = C.TypeC.Make(); } }")),
            ("C", CodeOnly("namespace Attend.C; class TypeC { object o = new Attend.D.TypeD(); }")),
            ("D", CodeOnly("namespace Attend.D; class TypeD { Front f; /* TypeA */ string s = \"Attend.A.\"; }")),
            ("E", CodeOnly("namespace Attend.E; class TypeE { // Front\n int Front2; }")),
            ("F", CodeOnly("namespace Attend.F; class TypeF { Hidden h; }")),
        };
        var graph = Graph(files);
        Assert.Equal(["B"], graph["A"]);
        Assert.Equal(["C"], graph["B"]);
        Assert.Equal(["D"], graph["C"]);
        Assert.Equal([Root], graph["D"]);
        Assert.Empty(graph["E"]);
        Assert.Empty(graph["F"]);
        Assert.Null(FindCycle(graph));

        files.Add(("(root)", CodeOnly("namespace Attend; class Back { Attend.A.TypeA a; }")));
        Assert.Equal("(root) → A → B → C → D → (root)", FindCycle(Graph(files)));
    }
}
