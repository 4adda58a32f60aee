using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Attend.Attention;
using Attend.Model;
using Attend.Nn;
using Attend.Tensors;
using Attend.Training;

namespace Attend.Bench;

/// <summary>
/// `peer`: the side-by-side benchmark against the PyTorch reference, bench/pytorch/torch_peer.py. Same flags, same
/// model (Attend's <see cref="Seq2Seq"/> with the reference's defaults), same synthetic data distribution (batch of
/// source and target lengths uniform in 8..30, target length counting EOS, tokens uniform over words),
/// same figure definitions, and one JSON line per run with the reference's keys. Extra keys say what the
/// reference does not: managed bytes allocated and GC collections per training step, and GFLOP/s of the
/// matrix products of a training step against the FMA peak.
/// </summary>
internal static partial class PeerBench
{
    private const int Pad = 0, Bos = 1, Eos = 2, FirstWord = 4;
    private static readonly string[] Attentions = ["none", "bahdanau", "luong-dot", "luong-general", "luong-concat"];
    private static readonly Dictionary<string, (int Vocab, int Emb, int Hidden)> Configs = new()
    {
        ["big"] = (8000, 256, 512),
        ["small"] = (4000, 128, 256),
    };

    /// <summary>The FMA peak of this machine's two cores (2 × ~225 GFLOP/s on a Zen 5, bench/pytorch/README.md).</summary>
    private const double PeakGflops = 440;

    private const string Help = """
        usage: Attend.Bench peer [options]     (the flags of bench/pytorch/torch_peer.py)
          --config all|big|small          (default all)
          --attention all|none|bahdanau|luong-dot|luong-general|luong-concat   (default bahdanau)
          --cell gru|lstm                 (default gru)
          --memory auto|concat|sum        (default auto: sum for luong-*, concat otherwise)
          --readout state|state+context   (default state)
          --threads N (2)  --batch B (64)  --warmup N (3)  --steps N (10)  --max-len N (40)
          --decode-batches N (3)  --beam K (5)  --beam-sents N (16)  --beam-batches N (1)
          --seed N (1234)  --repeat N (1: runs per configuration, child processes)  --json-out FILE
          --list-params                   print "config attention cell params" for every combination and exit
          --list-work                     print "config attention cell greedy_gflop beam_gflop beam1_mb" for every
                                          combination and exit: Attend's decoding work per sentence (products of
                                          greedy and of batched beam, weights beam-1 streams) at --max-len, --beam
          --precision fp32|int8|bf16      decoding weights, quantized after training (docs/quantization.md; default
                                          fp32); the reference takes fp32|int8 (torch.quantization.quantize_dynamic)
          --decode-shards N               Attend only: shards of sentences decoded at once (0, the default: one per
                                          core when each gets 64 rows and the output layer has at most 2M weights;
                                          1 = the whole batch at once, each product split over the threads)
        Luong training always runs the decoder RNN over the whole target in one call (the PyTorch reference's default);
        the reference's --stepwise is not offered.
        """;

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed class Args
    {
        public string Config = "all", Attention = "bahdanau", Cell = "gru", Memory = "auto", Readout = "state", Precision = "fp32";
        public int Threads = 2, Batch = 64, Warmup = 3, Steps = 10, MaxLen = 40, DecodeBatches = 3, Beam = 5, BeamSents = 16, BeamBatches = 1, Repeat = 1, DecodeShards = 0;
        public int Seed = 1234;
        public string? JsonOut;
        public bool ListParams, ListWork;
    }

    public static int Run(string[] argv)
    {
        Args a;
        try { a = Parse(argv); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"peer: {e.Message}");
            return 2;
        }
        if (a is null) return 0;
        if (a.ListParams) return ListParams(a);
        if (a.ListWork) return ListWork(a);
        var configs = a.Config == "all" ? Configs.Keys.ToList() : [a.Config];
        var atts = a.Attention == "all" ? Attentions.ToList() : [a.Attention];
        if (configs.Count * atts.Count > 1 || a.Repeat > 1) return RunChildren(argv, configs, atts, a.Repeat);
        a.Config = configs[0];
        a.Attention = atts[0];
        var res = RunOne(a);
        res["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss+00:00", CultureInfo.InvariantCulture);
        string line = res.ToJsonString(JsonOptions);
        if (a.JsonOut is not null) File.AppendAllText(a.JsonOut, line + "\n");
        Console.WriteLine(line);
        return 0;
    }

    private static Args Parse(string[] argv)
    {
        var a = new Args();
        for (int i = 0; i < argv.Length; i++)
        {
            string key = argv[i];
            if (key is "-h" or "--help")
            {
                Console.WriteLine(Help);
                return null!;
            }
            if (key == "--list-params")
            {
                a.ListParams = true;
                continue;
            }
            if (key == "--list-work")
            {
                a.ListWork = true;
                continue;
            }
            if (i + 1 >= argv.Length) throw new ArgumentException($"{key} needs a value (try --help)");
            string v = argv[++i];
            int Int()
            {
                if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 0)
                    throw new ArgumentException($"{key}: '{v}' is not a non-negative integer");
                return n;
            }
            string OneOf(params string[] allowed) => allowed.Contains(v) ? v
                : throw new ArgumentException($"{key}: '{v}' is not one of {string.Join(", ", allowed)}");
            switch (key)
            {
                case "--config": a.Config = OneOf(["all", .. Configs.Keys]); break;
                case "--attention": a.Attention = OneOf(["all", .. Attentions]); break;
                case "--cell": a.Cell = OneOf("gru", "lstm"); break;
                case "--memory": a.Memory = OneOf("auto", "concat", "sum"); break;
                case "--readout": a.Readout = OneOf("state", "state+context"); break;
                case "--precision": a.Precision = OneOf("fp32", "int8", "bf16"); break;
                case "--threads": a.Threads = Math.Max(1, Int()); break;
                case "--batch": a.Batch = Math.Max(1, Int()); break;
                case "--warmup": a.Warmup = Int(); break;
                case "--steps": a.Steps = Math.Max(1, Int()); break;
                case "--max-len": a.MaxLen = Math.Max(1, Int()); break;
                case "--decode-batches": a.DecodeBatches = Int(); break;
                case "--beam": a.Beam = Math.Max(1, Int()); break;
                case "--beam-sents": a.BeamSents = Int(); break;
                case "--beam-batches": a.BeamBatches = Int(); break;
                case "--decode-shards": a.DecodeShards = Math.Max(0, Int()); break;
                case "--seed": a.Seed = Int(); break;
                case "--repeat": a.Repeat = Math.Max(1, Int()); break;
                case "--json-out": a.JsonOut = v; break;
                default: throw new ArgumentException($"unknown option '{key}' (try --help)");
            }
        }
        return a;
    }

    /// <summary>`--list-params`: "config attention cell params" for every combination (to check against the PyTorch reference's counts).</summary>
    private static int ListParams(Args a)
    {
        foreach (var c in Configs.Keys)
            foreach (var cell in new[] { "gru", "lstm" })
                foreach (var att in Attentions)
                {
                    var cfg = MakeConfig(new Args { Config = c, Attention = att, Cell = cell, Memory = a.Memory, Readout = a.Readout });
                    Console.WriteLine($"{c} {att} {cell} {new Seq2Seq(cfg).ParameterCount()}");
                }
        return 0;
    }

    /// <summary>One child process per run, so that peak RSS is per configuration (as the PyTorch reference does).</summary>
    private static int RunChildren(string[] argv, List<string> configs, List<string> atts, int repeat)
    {
        string exe = Environment.ProcessPath ?? throw new InvalidOperationException("peer: cannot find the benchmark's own executable");
        var summary = new JsonArray();
        foreach (var c in configs)
            foreach (var att in atts)
            {
                var runs = new List<JsonNode>();
                for (int r = 0; r < repeat; r++)
                {
                    var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false };
                    if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
                        psi.ArgumentList.Add(typeof(PeerBench).Assembly.Location);
                    psi.ArgumentList.Add("peer");
                    foreach (var x in argv) psi.ArgumentList.Add(x);
                    foreach (var x in new[] { "--config", c, "--attention", att, "--repeat", "1" }) psi.ArgumentList.Add(x);
                    using var p = Process.Start(psi)!;
                    string output = p.StandardOutput.ReadToEnd();
                    p.WaitForExit();
                    if (p.ExitCode != 0) throw new InvalidOperationException($"peer: child run {c}/{att} exited with {p.ExitCode}");
                    string line = output.Trim().Split('\n')[^1];
                    Console.WriteLine(line);
                    runs.Add(JsonNode.Parse(line)!);
                }
                double? Med(Func<JsonNode, JsonNode?> f)
                {
                    var xs = runs.Select(f).ToList();
                    if (xs.Any(x => x is null)) return null;
                    var v = xs.Select(x => x!.GetValue<double>()).Order().ToList();
                    return Math.Round(v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2, 2);
                }
                summary.Add(new JsonObject
                {
                    ["config"] = c, ["attention"] = att, ["cell"] = runs[0]["cell"]!.GetValue<string>(), ["runs"] = runs.Count,
                    ["precision"] = runs[0]["precision"]!.GetValue<string>(),
                    ["tgt_tok_s"] = Med(r => r["train"]!["tgt_tokens_per_s"]),
                    ["greedy_sent_s"] = Med(r => r["greedy"]?["sent_per_s"]),
                    ["beam1_sent_s"] = Med(r => r["beam_batch1"]?["sent_per_s"]),
                    ["beamB_sent_s"] = Med(r => r["beam_batched"]?["sent_per_s"]),
                    ["peak_rss_train_mb"] = Med(r => r["peak_rss_train_mb"]),
                    ["peak_rss_mb"] = Med(r => r["peak_rss_total_mb"]),
                    ["train_gflops"] = Med(r => r["train"]!["gflops_per_s"]),
                    ["alloc_bytes_per_step"] = Med(r => r["train"]!["alloc_bytes_per_step"]),
                });
            }
        Console.WriteLine(new JsonObject { ["summary"] = summary }.ToJsonString(JsonOptions));
        return 0;
    }

    private static ModelConfig MakeConfig(Args a)
    {
        var (v, e, h) = Configs[a.Config];
        return new ModelConfig
        {
            SourceVocab = v, TargetVocab = v, EmbeddingSize = e, HiddenSize = h,
            Rnn = a.Cell == "gru" ? RnnKind.Gru : RnnKind.Lstm,
            Attention = a.Attention switch
            {
                "none" => AttentionKind.None,
                "bahdanau" => AttentionKind.Bahdanau,
                "luong-dot" => AttentionKind.LuongDot,
                "luong-general" => AttentionKind.LuongGeneral,
                _ => AttentionKind.LuongConcat,
            },
            Memory = a.Memory switch { "concat" => MemoryKind.Concat, "sum" => MemoryKind.Sum, _ => MemoryKind.Auto },
            Readout = a.Readout == "state" ? Readout.State : Readout.StateContext,
            PadId = Pad, BosId = Bos, EosId = Eos,
        }.Resolve();
    }

    /// <summary>The PyTorch reference's make_batch: lengths uniform in 8..30, the target's last real token is EOS, tokens uniform over words.</summary>
    internal static Seq2SeqBatch MakeBatch(Random gen, int batch, int srcVocab, int tgtVocab, int minLen = 8, int maxLen = 30)
    {
        var srcLen = new int[batch];
        var tgtLen = new int[batch];
        for (int b = 0; b < batch; b++) srcLen[b] = gen.Next(minLen, maxLen + 1);
        for (int b = 0; b < batch; b++) tgtLen[b] = gen.Next(minLen, maxLen + 1);
        int s = srcLen.Max(), t = tgtLen.Max();
        var src = new int[batch * s];
        var tout = new int[batch * t];
        var tin = new int[batch * t];
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < srcLen[b]; j++) src[b * s + j] = gen.Next(FirstWord, srcVocab);
            for (int j = 0; j < tgtLen[b] - 1; j++) tout[b * t + j] = gen.Next(FirstWord, tgtVocab);
            tout[b * t + tgtLen[b] - 1] = Eos;
            tin[b * t] = Bos;
            for (int j = 1; j < tgtLen[b]; j++) tin[b * t + j] = tout[b * t + j - 1];
        }
        return new Seq2SeqBatch(batch, s, t, src, srcLen, tin, tout);
    }

    private static JsonObject RunOne(Args a)
    {
        Parallelism.MaxThreads = a.Threads;
        var res = new JsonObject
        {
            ["config"] = a.Config, ["attention"] = a.Attention, ["cell"] = a.Cell,
            ["vocab"] = Configs[a.Config].Vocab, ["emb"] = Configs[a.Config].Emb, ["hidden"] = Configs[a.Config].Hidden,
            ["batch"] = a.Batch, ["threads"] = Parallelism.MaxThreads,
            ["dotnet"] = Environment.Version.ToString(),
            ["avx512"] = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated,
            ["server_gc"] = System.Runtime.GCSettings.IsServerGC,
            ["readout"] = a.Readout,
            ["rss_after_import_mb"] = Math.Round(CurrentRssMb(), 1),
        };
        var config = MakeConfig(a);
        var model = Seq2Seq.Create(config, (ulong)a.Seed);
        res["memory"] = config.ResolvedMemory.ToString().ToLowerInvariant();
        res["params"] = model.ParameterCount();
        var named = model.NamedParameters().ToList();
        var parameters = named.Select(p => p.Param).ToList();
        var adam = new Adam(parameters, new AdamOptions(1e-3f));
        var gen = new Random(a.Seed + 1);
        var batches = Enumerable.Range(0, a.Warmup + a.Steps).Select(_ => MakeBatch(gen, a.Batch, config.SourceVocab, config.TargetVocab)).ToList();
        res["rss_after_model_mb"] = Math.Round(CurrentRssMb(), 1);

        double cpu0 = 0;
        var stepTimes = new List<double>();
        var rates = new List<double>();
        var phases = new PhaseTimes();
        long tok = 0, srcTok = 0;
        double flops = 0, peerFlops = 0;
        var losses = new List<double>();
        long alloc0 = 0;
        int[] gc0 = new int[3];
        (long Steal, long Total) steal0 = default;
        for (int i = 0; i < batches.Count; i++)
        {
            var batch = batches[i];
            if (i == a.Warmup)
            {
                steal0 = HostSteal();
                alloc0 = GC.GetTotalAllocatedBytes(precise: true);
                cpu0 = CpuSeconds();
                for (int g = 0; g < 3; g++) gc0[g] = GC.CollectionCount(g);
            }
            bool timed = i >= a.Warmup;
            var sw = Stopwatch.StartNew();
            double loss;
            using (var scope = TensorScope.Begin())
            {
                adam.ZeroGrad(setToNone: true); // as the PyTorch reference's opt.zero_grad(set_to_none=True) and the Trainer
                var lossT = model.Loss(batch);
                double tForward = sw.Elapsed.TotalSeconds;
                loss = lossT.Data[0];
                lossT.Backward(keepValues: false); // as the Trainer
                double tBackward = sw.Elapsed.TotalSeconds;
                GradClip.ClipGradNorm(parameters, 1.0);
                adam.Step();
                double tOpt = sw.Elapsed.TotalSeconds;
                if (timed) phases.Add(tForward, tBackward - tForward, tOpt - tBackward);
            }
            double dt = sw.Elapsed.TotalSeconds;
            losses.Add(loss);
            if (timed)
            {
                stepTimes.Add(dt);
                int n = batch.TargetOut.Count(id => id != Pad);
                rates.Add(n / dt);
                tok += n;
                srcTok += batch.SourceLengths.Sum();
                flops += TrainingFlops(config, batch.Batch, batch.SourceLength, batch.TargetLength, BatchWork.Attend(batch, Pad));
                peerFlops += TrainingFlops(config, batch.Batch, batch.SourceLength, batch.TargetLength, BatchWork.Peer(batch));
            }
        }
        long allocBytes = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        double trainCpu = CpuSeconds() - cpu0;
        var gcs = Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - gc0[g]).ToArray();
        var steal1 = HostSteal();
        double total = stepTimes.Sum();
        res["train"] = new JsonObject
        {
            ["warmup"] = a.Warmup, ["steps"] = a.Steps,
            ["tgt_tokens_per_s"] = Math.Round(Median(rates), 1),
            ["tgt_tokens_per_s_overall"] = Math.Round(tok / total, 1),
            ["src_tokens_per_s_overall"] = Math.Round(srcTok / total, 1),
            ["host_steal_frac"] = Math.Round((double)(steal1.Steal - steal0.Steal) / Math.Max(1, steal1.Total - steal0.Total), 3),
            ["tgt_tokens_per_step"] = Math.Round((double)tok / a.Steps, 1),
            ["step_s_median"] = Math.Round(Median(stepTimes), 4),
            ["step_s_min"] = Math.Round(stepTimes.Min(), 4), ["step_s_max"] = Math.Round(stepTimes.Max(), 4),
            ["loss_first"] = Math.Round(losses[0], 4), ["loss_last"] = Math.Round(losses[^1], 4),
            ["forward_s_median"] = Math.Round(Median(phases.Forward), 4),
            ["backward_s_median"] = Math.Round(Median(phases.Backward), 4),
            ["clip_adam_s_median"] = Math.Round(Median(phases.Optimizer), 4),
            ["cpu_s_per_step"] = Math.Round(trainCpu / a.Steps, 4),
            ["gflop_per_step"] = Math.Round(flops / a.Steps / 1e9, 2),
            ["peer_gflop_per_step"] = Math.Round(peerFlops / a.Steps / 1e9, 2),
            ["gflops_per_s"] = Math.Round(flops / total / 1e9, 1),
            ["fraction_of_fma_peak"] = Math.Round(flops / total / 1e9 / PeakGflops, 3),
            ["alloc_bytes_per_step"] = allocBytes / a.Steps,
            ["gc_gen0"] = gcs[0], ["gc_gen1"] = gcs[1], ["gc_gen2"] = gcs[2],
        };
        res["peak_rss_train_mb"] = Math.Round(PeakRssMb(), 1);
        res["pool_train_mb"] = Math.Round(BufferPool.Shared.AllocatedBytes / 1048576.0, 1);
        res["pool_peak_live_train_mb"] = Math.Round(BufferPool.Shared.PeakLiveBytes / 1048576.0, 1);
        res["gc_heap_train_mb"] = Math.Round(GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0, 1);

        // Training is over, as at the end of Trainer.Train: the gradients and the pool's training buffers go back before decoding.
        adam.ZeroGrad(setToNone: true);
        BufferPool.Shared.Release();
        // Decoding in a lower precision: the trained weights rounded once, as `attend translate --precision` does.
        res["precision"] = a.Precision;
        ModelPrecision.Quantize(model, Enum.Parse<Precision>(a.Precision, ignoreCase: true));
        MeasureDecoding(a, model, batches[0], res);
        res["peak_rss_total_mb"] = Math.Round(PeakRssMb(), 1);
        res["pool_total_mb"] = Math.Round(BufferPool.Shared.AllocatedBytes / 1048576.0, 1);
        res["pool_peak_live_total_mb"] = Math.Round(BufferPool.Shared.PeakLiveBytes / 1048576.0, 1);
        return res;
    }
}
