namespace Attend.Data;

/// <summary>One file of a dataset: its name under the base URL, its size in bytes and the SHA-256 of its bytes.</summary>
internal sealed record RemoteFile(string Name, long Size, string Sha256);

/// <summary>A downloadable dataset: where its files live upstream and what they must be.</summary>
internal sealed record Dataset(string Name, string BaseUrl, IReadOnlyList<RemoteFile> Files, string Origin);

/// <summary>The datasets <c>attend data get</c> knows.</summary>
internal static class DatasetCatalog
{
    /// <summary>
    /// Multi30k task 1, raw (untokenized, gzip): train / val / test_2016_flickr in de, en, fr, cs, from the
    /// dataset's GitHub repository pinned at commit a3d2e0d (the files have not changed upstream since Jan 2018).
    /// Sizes and checksums are those of tests/fixtures/data/multi30k (listed in its SHA256SUMS).
    /// </summary>
    public static Dataset Multi30k { get; } = new("multi30k",
        "https://raw.githubusercontent.com/multi30k/dataset/a3d2e0d26b56f3846f66a952536ffed4e401d05a/data/task1/raw/",
    [
        new("train.de.gz", 637044, "726e39b2fa9eb9ffb6dc763fb35a179f80fae06ffc5d28b6ace5faa883de28a6"),
        new("train.en.gz", 568929, "d79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f"),
        new("train.fr.gz", 604242, "622e75069e9f4c577425c4f277116ce66e63a2401c0a2312d90073cb12379a3c"),
        new("train.cs.gz", 593827, "a65adb8b32e3bc664f21ecba7a6e7f6950fd1f405e135f7c312faabdb6255077"),
        new("val.de.gz", 24681, "f0cba2f995189cf5770f29a8a9a537a3ad3f51657ad873405082ff6863a5e75a"),
        new("val.en.gz", 21650, "14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28"),
        new("val.fr.gz", 23001, "ca3106f1a72390591d25f6c45cb4cd39dec4cd3f123e099748a3ce5256c160e9"),
        new("val.cs.gz", 22096, "b63226e05c4bd5dd6a42897d74b86a1b9d2c31498252c572b1ea7f7996927fcc"),
        new("test_2016_flickr.de.gz", 22890, "9204244e408ccb38d2a55cfcd344df15005fc42a07a6e55ca6c52b6ababb8cc8"),
        new("test_2016_flickr.en.gz", 21077, "611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9"),
        new("test_2016_flickr.fr.gz", 22310, "6d326e188d259fb1d04ac19eae3af956559b3a0b93d7635e56c90987c40c8b90"),
        new("test_2016_flickr.cs.gz", 22572, "200a4a74cc9560f051924abb9803be008d1908d77f747e9141aeb86dfd2797f1"),
    ], "github.com/multi30k/dataset, data/task1/raw/ at commit a3d2e0d26b56f3846f66a952536ffed4e401d05a");

    public static IReadOnlyList<Dataset> All { get; } = [Multi30k];

    /// <summary>The dataset of that name, or an error listing the known ones.</summary>
    public static Dataset Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown dataset '{name}' (known: {string.Join(", ", All.Select(d => d.Name))})");
}
