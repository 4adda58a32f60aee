using System.CommandLine;
using Attend.Data;

namespace Attend.Cli.Commands;

/// <summary>`attend data get NAME --out DIR [--base-url URL]`: downloads a dataset's files and verifies their checksums.</summary>
internal static class DataCommand
{
    public static Command Build()
    {
        var cmd = new Command("data", "Datasets: download and verify.");
        var get = new Command("get", "Download a dataset's raw files (multi30k: task 1 train / val / test_2016_flickr in de, en, fr, cs), checking size, gzip integrity and SHA-256.");
        var name = new Argument<string>("NAME") { Description = $"The dataset: {string.Join(", ", DatasetCatalog.All.Select(d => d.Name))}" };
        var outDir = new Option<string>("--out") { Description = "Folder to write the files to (created if needed)", Required = true };
        var baseUrl = new Option<string?>("--base-url") { Description = "Fetch the files from this URL instead of the dataset's repository (a mirror; FILE names are appended)" };
        var attempts = NumericOption.Create("--attempts", "Tries per file before giving up (interrupted transfers resume)", 1, 1000, 5);
        var retryDelay = NumericOption.Create("--retry-delay", "Seconds to wait before a retry", 0.0, 3600.0, 2.0);
        get.Arguments.Add(name);
        foreach (var o in new Option[] { outDir, baseUrl, attempts, retryDelay }) get.Options.Add(o);
        get.SetAction(pr => CommandGuard.Run(pr, "data get", (output, err) =>
        {
            var dataset = DatasetCatalog.Find(pr.GetValue(name)!);
            var url = pr.GetValue(baseUrl);
            if (url is not null && !Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out _))
                throw new ArgumentException($"--base-url: not an absolute URL: {url}");
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var downloader = new Downloader(http, new DownloadOptions(pr.GetValue(attempts), TimeSpan.FromSeconds(pr.GetValue(retryDelay))), err.WriteLine);
            var files = downloader.GetAsync(dataset, pr.GetValue(outDir)!, url).GetAwaiter().GetResult();
            output.WriteLine($"{dataset.Name}: {files.Count} files in {pr.GetValue(outDir)} ({dataset.Origin}), all verified");
            return 0;
        }));
        cmd.Subcommands.Add(get);
        return cmd;
    }
}
