using System.Security.Cryptography;
using Attend.Data;
using Attend.Tests.Cli;
using Attend.Tests.Training;

namespace Attend.Tests.Data;

public class DownloaderTests
{
    private static readonly string Mirror = Attend.Testing.Fixtures.Dir("data", "multi30k");
    private static readonly RemoteFile Val = DatasetCatalog.Multi30k.Files.Single(f => f.Name == "val.de.gz");
    private static readonly RemoteFile Train = DatasetCatalog.Multi30k.Files.Single(f => f.Name == "train.en.gz");

    private static Downloader Make(HttpClient http, int attempts = 3, List<string>? log = null) =>
        new(http, new DownloadOptions(attempts, TimeSpan.Zero, TimeSpan.FromSeconds(30)), m => { lock (log ?? []) log?.Add(m); });

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void Embedded_checksums_are_those_of_the_fixtures_SHA256SUMS()
    {
        var sums = File.ReadAllLines(Path.Combine(Mirror, "..", "SHA256SUMS"))
            .Where(l => l.Contains("./multi30k/")).ToDictionary(l => l.Split("./multi30k/")[1], l => l[..64]);
        Assert.Equal(12, DatasetCatalog.Multi30k.Files.Count);
        foreach (var f in DatasetCatalog.Multi30k.Files)
        {
            Assert.Equal(sums[f.Name], f.Sha256);
            Assert.Equal(new FileInfo(Path.Combine(Mirror, f.Name)).Length, f.Size);
        }
        Assert.StartsWith("https://raw.githubusercontent.com/multi30k/dataset/", DatasetCatalog.Multi30k.BaseUrl);
        Assert.EndsWith("/data/task1/raw/", DatasetCatalog.Multi30k.BaseUrl);
    }

    [Fact]
    public async Task Gets_all_twelve_files_byte_for_byte_and_a_second_run_fetches_nothing()
    {
        var dir = RepoPaths.TempDir("dl-all");
        try
        {
            using var server = new LocalFileServer(Mirror);
            using var http = new HttpClient();
            var files = await Make(http).GetAsync(DatasetCatalog.Multi30k, dir, server.BaseUrl);
            Assert.Equal(12, files.Count);
            foreach (var f in DatasetCatalog.Multi30k.Files)
                Assert.Equal(File.ReadAllBytes(Path.Combine(Mirror, f.Name)), File.ReadAllBytes(Path.Combine(dir, f.Name)));
            Assert.Empty(Directory.GetFiles(dir, "*.part"));
            int before = server.Requests.Count;
            await Make(http).GetAsync(DatasetCatalog.Multi30k, dir, server.BaseUrl);
            Assert.Equal(before, server.Requests.Count);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_connection_cut_mid_file_is_resumed_with_a_range_request()
    {
        var dir = RepoPaths.TempDir("dl-resume");
        try
        {
            using var server = new LocalFileServer(Mirror) { CutAt = n => n == 1 ? 200_000 : null };
            using var http = new HttpClient();
            var log = new List<string>();
            var dest = Path.Combine(dir, Train.Name);
            await Make(http, log: log).DownloadFileAsync(new Uri(server.BaseUrl + Train.Name), dest, Train);
            Assert.Equal(Train.Sha256, Sha(dest));
            Assert.False(File.Exists(dest + ".part"));
            var req = server.Requests;
            Assert.Equal(2, req.Count);
            Assert.Null(req[0].RangeFrom);
            Assert.True(req[1].RangeFrom > 0 && req[1].RangeFrom <= 200_000, $"resumed at {req[1].RangeFrom}");
            Assert.Equal(206, req[1].Status);
            Assert.Contains(log, m => m.Contains("attempt 1 failed"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_server_without_range_support_makes_the_download_start_over_and_still_succeed()
    {
        var dir = RepoPaths.TempDir("dl-norange");
        try
        {
            using var server = new LocalFileServer(Mirror) { SupportRange = false, CutAt = n => n <= 2 ? 100_000 * n : null };
            using var http = new HttpClient();
            var dest = Path.Combine(dir, Train.Name);
            await Make(http, attempts: 3).DownloadFileAsync(new Uri(server.BaseUrl + Train.Name), dest, Train);
            Assert.Equal(Train.Sha256, Sha(dest));
            Assert.Equal(3, server.Requests.Count);
            Assert.All(server.Requests, r => Assert.Equal(200, r.Status));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_server_that_always_cuts_fails_clearly_and_leaves_only_a_part_file()
    {
        var dir = RepoPaths.TempDir("dl-cut");
        try
        {
            using var server = new LocalFileServer(Mirror) { SupportRange = false, CutAt = _ => 10_000 };
            using var http = new HttpClient();
            var dest = Path.Combine(dir, Val.Name);
            var url = server.BaseUrl + Val.Name;
            var e = await Assert.ThrowsAsync<DownloadException>(() => Make(http, attempts: 3).DownloadFileAsync(new Uri(url), dest, Val));
            Assert.StartsWith(url + ": failed after 3 attempts", e.Message);
            Assert.Contains("run again to resume", e.Message);
            Assert.False(File.Exists(dest));
            Assert.True(new FileInfo(dest + ".part").Length < Val.Size);
            Assert.Equal(3, server.Requests.Count);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Wrong_bytes_are_a_checksum_error_and_nothing_is_kept()
    {
        var dir = RepoPaths.TempDir("dl-wrong");
        try
        {
            // Byte 4 is in the gzip header's MTIME: the file still decompresses, only the checksum can tell.
            using var server = new LocalFileServer(Mirror) { FlipByteAt = 4 };
            using var http = new HttpClient();
            var dest = Path.Combine(dir, Val.Name);
            var url = server.BaseUrl + Val.Name;
            var e = await Assert.ThrowsAsync<DownloadException>(() => Make(http).DownloadFileAsync(new Uri(url), dest, Val));
            Assert.StartsWith(url + ": SHA-256 is ", e.Message);
            Assert.Contains("expected " + Val.Sha256, e.Message);
            Assert.False(File.Exists(dest));
            Assert.False(File.Exists(dest + ".part"));
            Assert.Single(server.Requests); // a wrong file is not fetched again and again
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Corrupt_gzip_data_is_reported_as_such()
    {
        var dir = RepoPaths.TempDir("dl-gzip");
        try
        {
            using var server = new LocalFileServer(Mirror) { FlipByteAt = Val.Size - 2 }; // inside the trailer's ISIZE
            using var http = new HttpClient();
            var dest = Path.Combine(dir, Val.Name);
            var e = await Assert.ThrowsAsync<DownloadException>(() => Make(http).DownloadFileAsync(new Uri(server.BaseUrl + Val.Name), dest, Val));
            Assert.Contains("not a complete gzip file", e.Message);
            Assert.False(File.Exists(dest));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_missing_file_is_an_http_error_without_retries()
    {
        var dir = RepoPaths.TempDir("dl-404");
        try
        {
            using var server = new LocalFileServer(dir);
            using var http = new HttpClient();
            var url = server.BaseUrl + Val.Name;
            var e = await Assert.ThrowsAsync<DownloadException>(() => Make(http).DownloadFileAsync(new Uri(url), Path.Combine(dir, "out.gz"), Val));
            Assert.Equal(url + ": HTTP 404 Not Found", e.Message);
            Assert.Single(server.Requests);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_damaged_file_already_present_is_replaced_and_a_stale_complete_part_is_verified()
    {
        var dir = RepoPaths.TempDir("dl-present");
        try
        {
            using var server = new LocalFileServer(Mirror);
            using var http = new HttpClient();
            var dest = Path.Combine(dir, Val.Name);
            File.WriteAllText(dest, "not the file");
            // A part that already holds every byte: the server answers the range with 416 and the checks accept it.
            File.Copy(Path.Combine(Mirror, Val.Name), dest + ".part");
            await Make(http).DownloadFileAsync(new Uri(server.BaseUrl + Val.Name), dest, Val);
            Assert.Equal(Val.Sha256, Sha(dest));
            Assert.Equal(416, Assert.Single(server.Requests).Status);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Cli_data_get_downloads_from_a_mirror_and_reports_a_bad_mirror_with_exit_code_2()
    {
        var dir = RepoPaths.TempDir("dl-cli");
        try
        {
            using (var server = new LocalFileServer(Mirror))
            using (var p = new CliProcess("data", "get", "multi30k", "--out", Path.Combine(dir, "ok"), "--base-url", server.BaseUrl))
            {
                p.CloseInput();
                Assert.Equal(0, p.Wait(TimeSpan.FromSeconds(60)));
                Assert.Contains("multi30k: 12 files in", p.Stdout);
            }
            Assert.Equal(12, Directory.GetFiles(Path.Combine(dir, "ok"), "*.gz").Length);
            using (var bad = new LocalFileServer(Mirror) { FlipByteAt = 5 })
            using (var p = new CliProcess("data", "get", "multi30k", "--out", Path.Combine(dir, "bad"), "--base-url", bad.BaseUrl, "--retry-delay", "0"))
            {
                p.CloseInput();
                Assert.Equal(2, p.Wait(TimeSpan.FromSeconds(60)));
                Assert.Matches(@"^attend data get: http://127\.0\.0\.1:\d+/files/train\.de\.gz: SHA-256 is [0-9a-f]{64}, expected 726e39b2", p.Stderr.Trim());
            }
            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "bad")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
