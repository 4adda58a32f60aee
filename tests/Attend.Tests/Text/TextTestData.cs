using Attend.Testing;

namespace Attend.Tests.Text;

/// <summary>Paths to the test corpora in tests/fixtures/data, and throwaway temp files.</summary>
internal static class TextTestData
{
    public static readonly string[] Multi30kLanguages = ["en", "de", "fr", "cs"];
    public static readonly string[] Multi30kSplits = ["train", "val", "test_2016_flickr"];

    public static string Multi30k(string split, string lang) => Fixtures.FilePath("data", "multi30k", $"{split}.{lang}.gz");

    public static string Tatoeba => Fixtures.FilePath("data", "tatoeba", "eng-fra.txt.gz");
}

/// <summary>A temporary folder deleted at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "attend-text-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string File(string name, string? text = null)
    {
        string p = System.IO.Path.Combine(Path, name);
        if (text is not null) System.IO.File.WriteAllText(p, text, new System.Text.UTF8Encoding(false));
        return p;
    }

    public string Bytes(string name, byte[] bytes)
    {
        string p = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllBytes(p, bytes);
        return p;
    }

    public string Gzip(string name, string text)
    {
        string p = System.IO.Path.Combine(Path, name);
        using var f = System.IO.File.Create(p);
        using var gz = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionLevel.Fastest);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        gz.Write(bytes);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
