using System.Diagnostics;
using System.Globalization;
using Attend.Attention;
using Attend.Decoding;
using Attend.Model;

namespace Attend.Bench;

/// <summary>
/// `translate`: what `attend translate` and the server do per batch (<see cref="Translator.Decode"/>: length-sorted
/// batches, greedy or beam search, log-probabilities and attention matrices of every hypothesis), on random
/// sentences of 8..30 tokens with a randomly initialised model of the PyTorch reference's big shape (vocabularies 8000,
/// embeddings 256, hidden 512, Bahdanau), or an ensemble of them. Prints sentences per second, managed allocation and peak working set.
/// </summary>
public static class TranslateBench
{
    public static int Run(string[] args)
    {
        int sentences = 256, beam = 1, batch = 32, rounds = 3, models = 1;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--sentences" when i + 1 < args.Length && int.TryParse(args[i + 1], out int n) && n >= 1: sentences = n; i++; break;
                case "--beam" when i + 1 < args.Length && int.TryParse(args[i + 1], out int k) && k >= 1: beam = k; i++; break;
                case "--batch" when i + 1 < args.Length && int.TryParse(args[i + 1], out int b) && b >= 1: batch = b; i++; break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out int r) && r >= 1: rounds = r; i++; break;
                case "--models" when i + 1 < args.Length && int.TryParse(args[i + 1], out int e) && e >= 1: models = e; i++; break;
                case "-h" or "--help":
                    Console.WriteLine("usage: Attend.Bench translate [--sentences N (256)] [--beam K (1)] [--batch B (32)] [--rounds R (3)] [--models M (1)]\n" +
                        "  Translator.Decode (attend translate's search) of N random sentences with a random big Bahdanau model\n" +
                        "  (an ensemble of M such models with --models M);\n" +
                        "  output length limit = source length + 10, so every sentence runs its full length (the model never ends early)");
                    return 0;
                default:
                    Console.Error.WriteLine($"translate: unknown or invalid option '{args[i]}' (try --help)");
                    return 2;
            }
        }
        var config = new ModelConfig { SourceVocab = 8000, TargetVocab = 8000, EmbeddingSize = 256, HiddenSize = 512, Attention = AttentionKind.Bahdanau };
        var ensemble = Enumerable.Range(1, models).Select(seed => Seq2Seq.Create(config, (ulong)seed)).ToArray();
        var rng = new Random(3);
        var sources = Enumerable.Range(0, sentences).Select(_ => Enumerable.Range(0, rng.Next(8, 31)).Select(_ => rng.Next(4, 8000)).ToArray()).ToList();
        var options = new SearchOptions(BeamSize: beam, MaxOutputRatio: 1.0, BatchSize: batch);
        Translator.Decode(ensemble, sources.Take(batch).ToList(), options); // warm-up
        for (int r = 0; r < rounds; r++)
        {
            long before = GC.GetTotalAllocatedBytes(true);
            var watch = Stopwatch.StartNew();
            var hyps = Translator.Decode(ensemble, sources, options);
            watch.Stop();
            double s = watch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"models\":{models},\"beam\":{beam},\"batch\":{batch},\"sentences\":{sentences},\"sent_per_s\":{sentences / s:F1},\"alloc_mb\":{(GC.GetTotalAllocatedBytes(true) - before) / 1e6:F1}," +
                $"\"peak_working_set_mb\":{Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0},\"logprob_0\":{hyps[0][0].LogProb:F4}}}"));
        }
        return 0;
    }
}
