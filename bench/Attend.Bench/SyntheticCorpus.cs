using System.Globalization;
using System.Text;

namespace Attend.Bench;

/// <summary>
/// `corpus`: writes a synthetic parallel corpus for the data-path benchmarks (preparing and training on tens of
/// millions of pairs): OUT/train.src, train.trg, dev.*, test.* in plain UTF-8. Words are drawn from a Zipfian
/// distribution (exponent 1) over a vocabulary of made-up words, sentence lengths uniformly from 3 to 60; the
/// target is a word-by-word substitution of the source with every other adjacent pair swapped, so a model can
/// learn something. Deterministic for a seed; about 220 bytes a pair.
/// </summary>
internal static class SyntheticCorpus
{
    private const string Help = """
        usage: Attend.Bench corpus --out DIR [--pairs 10000000] [--dev 3000] [--words 100000] [--seed 1]
        """;

    public static int Run(string[] args)
    {
        string? outDir = null;
        long pairs = 10_000_000;
        int dev = 3000, words = 100_000;
        ulong seed = 1;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--out": outDir = Next(); break;
                case "--pairs": pairs = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--dev": dev = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--words": words = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = ulong.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "-h" or "--help": Console.WriteLine(Help); return 0;
                default: Console.Error.WriteLine($"unknown option {args[i]}\n{Help}"); return 2;
            }
        }
        if (outDir is null || pairs < 1 || dev < 1 || words < 10) { Console.Error.WriteLine(Help); return 2; }
        Directory.CreateDirectory(outDir);
        var rng = new Tensors.Rng(seed);
        var (src, trg) = (MakeWords(rng, words), MakeWords(rng, words));
        // Zipf over ranks 1..words: the cumulative weights, searched with a binary search per word.
        var cdf = new double[words];
        double sum = 0;
        for (int r = 0; r < words; r++) cdf[r] = sum += 1.0 / (r + 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var (name, n) in new[] { ("train", pairs), ("dev", (long)dev), ("test", (long)dev) })
        {
            using var s = new StreamWriter(Path.Combine(outDir, name + ".src"), false, new UTF8Encoding(false), 1 << 20);
            using var t = new StreamWriter(Path.Combine(outDir, name + ".trg"), false, new UTF8Encoding(false), 1 << 20);
            var ranks = new int[60];
            for (long p = 0; p < n; p++)
            {
                int len = 3 + (int)(rng.NextUInt64() % 58);
                for (int k = 0; k < len; k++)
                {
                    int r = Array.BinarySearch(cdf, rng.NextDouble() * sum);
                    ranks[k] = r < 0 ? Math.Min(~r, words - 1) : r;
                }
                for (int k = 0; k < len; k++) { if (k > 0) s.Write(' '); s.Write(src[ranks[k]]); }
                for (int k = 0; k < len; k++)
                {
                    if (k > 0) t.Write(' ');
                    int j = (k % 2 == 0 && k + 1 < len) ? k + 1 : (k % 2 == 1 ? k - 1 : k);
                    t.Write(trg[ranks[j]]);
                }
                s.Write('\n');
                t.Write('\n');
                if (name == "train" && (p + 1) % 1_000_000 == 0)
                    Console.Error.WriteLine($"{p + 1} pairs ({clock.Elapsed.TotalSeconds:F0} s)");
            }
        }
        Console.WriteLine($"wrote {pairs} training pairs and {dev} + {dev} held out to {outDir} in {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static string[] MakeWords(Tensors.Rng rng, int n)
    {
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new string[n];
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            do
            {
                sb.Clear();
                int len = 2 + (int)(rng.NextUInt64() % 9);
                for (int k = 0; k < len; k++) sb.Append(letters[(int)(rng.NextUInt64() % 26)]);
            } while (!seen.Add(sb.ToString()));
            list[i] = sb.ToString();
        }
        return list;
    }
}
