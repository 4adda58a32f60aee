using System.CommandLine;
using Attend.Config;
using Attend.Corpus;
using Attend.Training;
using Spectre.Console;

namespace Attend.Cli.Commands;

/// <summary>`attend prepare CONFIG [--out DIR] [--set key=value…] [--threads N] [--quiet]`: a corpus as shards of ids.</summary>
internal static class PrepareCommand
{
    public static Command Build()
    {
        var cmd = new Command("prepare", "Prepare a run's corpus once, in streaming passes on every core: vocabularies, BPE codes and binary shards of ids that `attend train` reads with data.source: prepared (see docs/data.md).");
        var config = new Argument<string>("CONFIG") { Description = "The run's YAML config (its data section says what to read and how to tokenize)" };
        var outDir = new Option<string?>("--out") { Description = "Folder to write (default: data.prepared, else prepared/NAME)" };
        var set = new Option<string[]>("--set") { Description = "Override a key, e.g. --set data.bpe_merges=16000 (repeatable)" };
        var threads = NumericOption.Create("--threads", "Tokenizing threads (0 = every core)", 0, 1024, 0);
        var quiet = new Option<bool>("--quiet") { Description = "Plain lines (one per shard) instead of a live status line" };
        cmd.Arguments.Add(config);
        foreach (var o in new Option[] { outDir, set, threads, quiet }) cmd.Options.Add(o);
        cmd.SetAction(pr => CommandGuard.Run(pr, "prepare", (output, err) =>
        {
            var cfg = ConfigLoader.LoadFile(pr.GetValue(config)!, pr.GetValue(set) ?? []);
            if (cfg.Data.Source == DataSource.Prepared) throw new ConfigException("data.source: prepared reads a prepared folder; prepare from demo, files or tsv");
            string dir = pr.GetValue(outDir) ?? (cfg.Data.Prepared.Length > 0 ? cfg.Data.Prepared : Path.Combine("prepared", cfg.Name));
            if (File.Exists(Path.Combine(dir, Manifest.FileName)) || (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any()))
                throw new ArgumentException($"{dir}: exists and is not empty; choose another --out or remove it");
            var options = new PrepareOptions(pr.GetValue(threads), cfg.Data.ShardPairs);
            Manifest m;
            if (pr.GetValue(quiet) || Console.IsErrorRedirected)
                m = Preparer.Run(cfg.Data, TrainingData.Sources(cfg), dir, options, err.WriteLine);
            else
                m = AnsiConsole.Status().Start("preparing", ctx => Preparer.Run(cfg.Data, TrainingData.Sources(cfg), dir, options, line =>
                {
                    AnsiConsole.MarkupLine(Markup.Escape(line));
                    ctx.Status(Markup.Escape(line));
                }));
            foreach (var (name, s) in m.Splits)
                output.WriteLine($"{name}: {s.Pairs} pairs, {s.SourceTokens} + {s.TargetTokens} tokens in {s.Shards.Count} shard(s); dropped {s.Dropped.Empty} empty, {s.Dropped.TooLong} too long, {s.Dropped.InvalidUtf8} invalid UTF-8");
            output.WriteLine($"prepared corpus in {dir}");
            return 0;
        }));
        return cmd;
    }
}
