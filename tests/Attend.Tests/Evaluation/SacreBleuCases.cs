using System.Security.Cryptography;
using System.Text.Json;

namespace Attend.Tests.Evaluation;

/// <summary>Loads tests/fixtures/sacrebleu/cases.json once and serves its rows to the theories.</summary>
internal static class SacreBleuCases
{
    public static string Folder => Attend.Testing.Fixtures.Dir("sacrebleu");

    private static readonly Lazy<JsonDocument> Doc = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "cases.json"))));

    public static JsonElement Root => Doc.Value.RootElement;

    public static JsonElement Case(string id) =>
        Root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);

    /// <summary>One row per (case, kind, entry index), kind being bleu, chrf, sentence_bleu or sentence_chrf.</summary>
    public static IEnumerable<object[]> Rows(string kind)
    {
        foreach (var c in Root.GetProperty("cases").EnumerateArray())
        {
            int n = c.GetProperty(kind).GetArrayLength();
            for (int i = 0; i < n; i++) yield return [c.GetProperty("id").GetString()!, i];
        }
    }

    public static IEnumerable<object[]> CaseIds() =>
        Root.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("id").GetString()! });

    public static string Sha256(string relative) =>
        Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Folder, relative))));

    /// <summary>Hashes first, so a line-ending conversion fails loudly instead of as a puzzling score.</summary>
    public static void CheckHashes(JsonElement c)
    {
        foreach (var f in c.GetProperty("sha256").EnumerateObject())
            Assert.True(f.Value.GetString() == Sha256(f.Name), $"sha256 mismatch for {f.Name}");
    }
}
