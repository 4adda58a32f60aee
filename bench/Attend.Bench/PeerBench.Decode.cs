using System.Text.Json.Nodes;
using Attend.Decoding;
using Attend.Model;
using Attend.Tensors;

namespace Attend.Bench;

// The decoding side of `peer`: greedy (batch), beam-5 with batch 1 and batched beam, timed as the PyTorch reference times them.
internal static partial class PeerBench
{
    /// <summary>Adds the greedy, beam_batch1 and beam_batched figures for the first training batch to <paramref name="res"/>.</summary>
    private static void MeasureDecoding(Args a, Seq2Seq model, Seq2SeqBatch first, JsonObject res)
    {
        if (a.DecodeBatches > 0)
        {
            var opts = new GreedyOptions(a.MaxLen, StopAtEos: false, KeepLogits: false, Shards: a.DecodeShards); // the PyTorch reference keeps only the tokens
            void Greedy1() { using var s = TensorScope.Begin(); Greedy.Decode(model, first.Source, first.Batch, first.SourceLengths, opts); }
            Greedy1(); // warm-up
            double c0 = CpuSeconds();
            var heap = HeapCounters.Start();
            var ts = Timed(Greedy1, a.DecodeBatches);
            var (alloc, collections) = heap.Stop();
            double cpu = (CpuSeconds() - c0) / ts.Count;
            res["greedy"] = new JsonObject
            {
                ["batch"] = a.Batch, ["steps"] = a.MaxLen,
                ["sent_per_s"] = Math.Round(a.Batch / Median(ts), 2),
                ["sent_per_s_overall"] = Math.Round(a.Batch * ts.Count / ts.Sum(), 2),
                ["batch_s_median"] = Math.Round(Median(ts), 4),
                ["cpu_s_per_batch"] = Math.Round(cpu, 4),
                ["alloc_bytes_per_batch"] = alloc / ts.Count,
                ["gc_gen0"] = collections[0], ["gc_gen1"] = collections[1], ["gc_gen2"] = collections[2],
            };
        }
        var beamOpts = new BeamOptions(a.Beam, a.MaxLen, StopAtEos: false, Shards: a.DecodeShards);
        if (a.BeamSents > 0)
        {
            int n = Math.Min(a.BeamSents, first.Batch);
            var one = Enumerable.Range(0, n).Select(i => first.Source.AsSpan(i * first.SourceLength, first.SourceLengths[i]).ToArray()).ToList();
            void Beam1(int[] s) { using var sc = TensorScope.Begin(); BeamSearch.Decode(model, s, 1, [s.Length], beamOpts); }
            Beam1(one[0]); // warm-up
            double c0 = CpuSeconds();
            var heap = HeapCounters.Start();
            var ts = one.Select(s => Timed(() => Beam1(s), 1)[0]).ToList();
            var (alloc, collections) = heap.Stop();
            double cpu = (CpuSeconds() - c0) / ts.Count;
            res["beam_batch1"] = new JsonObject
            {
                ["beam"] = a.Beam, ["steps"] = a.MaxLen, ["sentences"] = ts.Count,
                ["sent_per_s"] = Math.Round(1 / Median(ts), 2),
                ["sent_per_s_overall"] = Math.Round(ts.Count / ts.Sum(), 2),
                ["cpu_s_per_sent"] = Math.Round(cpu, 4),
                ["alloc_bytes_per_sent"] = alloc / ts.Count,
                ["gc_gen0"] = collections[0], ["gc_gen1"] = collections[1], ["gc_gen2"] = collections[2],
            };
        }
        if (a.BeamBatches > 0)
        {
            void BeamB() { using var sc = TensorScope.Begin(); BeamSearch.Decode(model, first.Source, first.Batch, first.SourceLengths, beamOpts); }
            BeamB(); // warm-up
            double c0 = CpuSeconds();
            var heap = HeapCounters.Start();
            var ts = Timed(BeamB, a.BeamBatches);
            var (alloc, collections) = heap.Stop();
            double cpu = (CpuSeconds() - c0) / ts.Count;
            res["beam_batched"] = new JsonObject
            {
                ["beam"] = a.Beam, ["batch"] = a.Batch, ["steps"] = a.MaxLen,
                ["sent_per_s"] = Math.Round(a.Batch / Median(ts), 2),
                ["sent_per_s_overall"] = Math.Round(a.Batch * ts.Count / ts.Sum(), 2),
                ["cpu_s_per_batch"] = Math.Round(cpu, 4),
                ["alloc_bytes_per_batch"] = alloc / ts.Count,
                ["gc_gen0"] = collections[0], ["gc_gen1"] = collections[1], ["gc_gen2"] = collections[2],
            };
        }
    }
}
