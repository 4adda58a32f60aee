using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Attend.Cli.Terminal;
using Attend.Evaluation;
using Attend.Evaluation.Alignment;
using Attend.Evaluation.Tokenizers;
using Attend.Tensors.IO;

namespace Attend.Cli.Commands;

/// <summary>
/// `attend evaluate`: sacreBLEU-identical BLEU/chrF of hypothesis files, BLEU by source length for several systems,
/// or alignment precision/recall/AER against gold links.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Build()
    {
        var cmd = new Command("evaluate", "Score translations (BLEU, chrF, identical to sacreBLEU 2.6.0), by source length, or alignments (AER).");
        var hyp = new Option<string[]>("--hyp") { Description = "Hypothesis file, or name=FILE; repeat for several systems", AllowMultipleArgumentsPerToken = false };
        var refs = new Option<string[]>("--ref") { Description = "Reference file; repeat for several references" };
        var metrics = new Option<string>("--metrics") { Description = "Comma-separated: bleu, chrf, chrf++", DefaultValueFactory = _ => "bleu,chrf" };
        var tokenize = new Option<string>("--tokenize") { Description = "BLEU tokenizer: 13a, intl, zh, char, none", DefaultValueFactory = _ => "13a" };
        var lowercase = new Option<bool>("--lowercase", "-lc") { Description = "Case-insensitive BLEU, not chrF (sacreBLEU -lc)" };
        var chrfLowercase = new Option<bool>("--chrf-lowercase") { Description = "Case-insensitive chrF and chrF++ (sacreBLEU --chrf-lowercase)" };
        var smooth = new Option<string>("--smooth-method") { Description = "BLEU smoothing: exp, floor, add-k, none", DefaultValueFactory = _ => "exp" };
        var smoothValue = NumericOption.Optional("--smooth-value", "Smoothing constant for floor (default 0.1) and add-k (default 1)", 0.0, 1e9);
        var width = NumericOption.Create("--width", "Decimals in the text output", 0, 15, 2);
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };
        var byLength = new Option<bool>("--by-length") { Description = "Score per source-length bucket (needs --source)" };
        var source = new Option<string?>("--source") { Description = "Source file, for --by-length" };
        var buckets = new Option<string>("--buckets") { Description = "Upper bucket edges in source words", DefaultValueFactory = _ => "10,20,30,40,50" };
        var csv = new Option<string?>("--csv") { Description = "Also write the by-length table as CSV to this file" };
        var alignments = new Option<string?>("--alignments") { Description = "Hypothesis alignments (Pharaoh, 0-based source-target)" };
        var gold = new Option<string?>("--gold") { Description = "Gold alignments" };
        var goldFormat = new Option<string>("--gold-format") { Description = "naacl (WPT03), alibi, pharaoh or auto", DefaultValueFactory = _ => "auto" };
        var goldOrder = new Option<string>("--gold-order") { Description = "Which side the gold lists first: source-first or target-first", DefaultValueFactory = _ => "source-first" };
        var sentences = NumericOption.Optional("--sentences", "Number of sentences (default: the hypothesis line count)", 0, int.MaxValue);
        var attention = new Option<string?>("--attention") { Description = "Attention JSON (one matrix per sentence) to align instead of --alignments" };
        var threshold = NumericOption.Optional("--align-threshold", "With --attention: keep links with weight >= this (default: argmax per target word)", 0f, 1f);
        var writeAlignments = new Option<string?>("--write-alignments") { Description = "With --attention: also write the hard alignments (Pharaoh) here" };
        foreach (var o in new Option[] { hyp, refs, metrics, tokenize, lowercase, chrfLowercase, smooth, smoothValue, width, json, byLength, source, buckets, csv, alignments, gold, goldFormat, goldOrder, sentences, attention, threshold, writeAlignments })
            cmd.Options.Add(o);

        cmd.SetAction(pr => EvalInputs.Guard(pr, "evaluate", output =>
        {
            var hypPaths = EvalInputs.ParseSystems(pr.GetValue(hyp) ?? []).Select(s => ("--hyp", (string?)s.Path));
            var refPaths = (pr.GetValue(refs) ?? []).Select(r => ("--ref", (string?)r));
            OutputFile.Check([("--csv", pr.GetValue(csv)), ("--write-alignments", pr.GetValue(writeAlignments))],
                [.. hypPaths, .. refPaths, ("--source", pr.GetValue(source)), ("--alignments", pr.GetValue(alignments)),
                 ("--gold", pr.GetValue(gold)), ("--attention", pr.GetValue(attention))]);
            if (pr.GetValue(alignments) is string ali)
                return Alignments(output, Pharaoh.Read(ali), pr.GetValue(gold), pr.GetValue(goldFormat)!, pr.GetValue(goldOrder)!, pr.GetValue(sentences), pr.GetValue(json));
            if (pr.GetValue(attention) is string att)
            {
                var hard = AttentionAlignments(att, pr.GetValue(threshold));
                if (pr.GetValue(writeAlignments) is string w)
                    AtomicFile.WriteAllText(w, string.Concat(hard.Select(l => Pharaoh.Format(l) + "\n")));
                return Alignments(output, hard, pr.GetValue(gold), pr.GetValue(goldFormat)!, pr.GetValue(goldOrder)!, pr.GetValue(sentences), pr.GetValue(json));
            }

            var bleuConfig = new BleuConfig(BleuTokenizers.Parse(pr.GetValue(tokenize)!), pr.GetValue(lowercase),
                BleuConfig.ParseSmooth(pr.GetValue(smooth)!), pr.GetValue(smoothValue));
            var (wantBleu, chrfConfigs) = ParseMetrics(pr.GetValue(metrics)!, pr.GetValue(chrfLowercase));
            var (systems, refStreams) = EvalInputs.Load(EvalInputs.ParseSystems(pr.GetValue(hyp) ?? []), pr.GetValue(refs) ?? []);

            if (pr.GetValue(byLength))
            {
                var src = EvalInputs.LoadSource(pr.GetValue(source), systems[0].Lines.Count);
                var table = ByLength.Score(src, systems.Select(s => (s.Name, s.Lines)).ToList(), refStreams,
                    LengthBuckets.Parse(pr.GetValue(buckets)!), bleuConfig, chrfConfigs.FirstOrDefault() ?? new ChrfConfig());
                if (pr.GetValue(csv) is string csvPath) AtomicFile.WriteAllText(csvPath, ByLengthReport.ToCsv(table));
                if (pr.GetValue(json)) output.WriteLine(ByLengthReport.ToJson(table));
                else EvalInputs.Console(output).Write(ByLengthTerminalTable.Build(table));
                return 0;
            }

            var results = systems.Select(s => (s.Name,
                Bleu: wantBleu ? new Bleu(bleuConfig).Corpus(s.Lines, refStreams) : null,
                Chrf: chrfConfigs.Select(c => new Chrf(c).Corpus(s.Lines, refStreams)).ToList())).ToList();
            if (pr.GetValue(json)) output.WriteLine(ToJson(results));
            else
            {
                int w = pr.GetValue(width);
                foreach (var r in results)
                {
                    string prefix = results.Count > 1 ? r.Name + ": " : "";
                    if (r.Bleu is not null) output.WriteLine(prefix + r.Bleu.Format(w));
                    foreach (var c in r.Chrf) output.WriteLine(prefix + c.Format(w));
                }
            }
            return 0;
        }));
        return cmd;
    }

    private static (bool Bleu, List<ChrfConfig> Chrf) ParseMetrics(string spec, bool lowercase)
    {
        bool bleu = false;
        var chrf = new List<ChrfConfig>();
        foreach (var m in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (m.ToLowerInvariant())
            {
                case "bleu": bleu = true; break;
                case "chrf": chrf.Add(new ChrfConfig(Lowercase: lowercase)); break;
                case "chrf++": chrf.Add(new ChrfConfig(WordOrder: 2, Lowercase: lowercase)); break;
                default: throw new EvaluationInputException($"unknown metric '{m}' (expected bleu, chrf or chrf++)");
            }
        }
        if (!bleu && chrf.Count == 0) throw new EvaluationInputException("--metrics names no metric");
        return (bleu, chrf);
    }

    private static string ToJson(List<(string Name, BleuScore? Bleu, List<ChrfScore> Chrf)> results)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            foreach (var r in results)
            {
                if (results.Count > 1) w.WriteStartObject(r.Name);
                if (r.Bleu is BleuScore b)
                {
                    w.WriteStartObject("bleu");
                    w.WriteNumber("score", b.Score);
                    WriteArray(w, "counts", b.Counts);
                    WriteArray(w, "totals", b.Totals);
                    WriteArray(w, "precisions", b.Precisions);
                    w.WriteNumber("bp", b.Bp);
                    w.WriteNumber("sys_len", b.SysLen);
                    w.WriteNumber("ref_len", b.RefLen);
                    w.WriteString("signature", b.Signature);
                    w.WriteEndObject();
                }
                foreach (var c in r.Chrf)
                {
                    w.WriteStartObject(c.Name.EndsWith('+') ? "chrf++" : "chrf");
                    w.WriteNumber("score", c.Score);
                    w.WriteString("name", c.Name);
                    w.WriteStartArray("stats");
                    foreach (long s in c.Stats) w.WriteNumberValue(s);
                    w.WriteEndArray();
                    w.WriteString("signature", c.Signature);
                    w.WriteEndObject();
                }
                if (results.Count > 1) w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteArray(Utf8JsonWriter w, string name, double[] values)
    {
        w.WriteStartArray(name);
        foreach (double v in values)
        {
            // Counts are integers except under a fractional add-k; keep them integers in the JSON when they are.
            if (v == Math.Floor(v) && Math.Abs(v) < 1e15) w.WriteNumberValue((long)v);
            else w.WriteNumberValue(v);
        }
        w.WriteEndArray();
    }

    // End-of-sentence markers are model bookkeeping, not words of the gold sentence, so their links are dropped.
    private static readonly HashSet<string> EndMarkers = ["<eos>", "</s>", "<EOS>"];

    private static List<List<AlignmentLink>> AttentionAlignments(string path, float? threshold) =>
        Attend.Plots.AttentionMatrix.LoadAll(path).Select(m =>
        {
            var links = threshold is float t ? HardAlignment.Threshold(m.Weights, t) : HardAlignment.Argmax(m.Weights);
            return links.Where(l => !EndMarkers.Contains(m.Source[l.Source]) && !EndMarkers.Contains(m.Target[l.Target])).ToList();
        }).ToList();

    private static int Alignments(TextWriter output, List<List<AlignmentLink>> hyp, string? goldPath, string format, string order, int? sentences, bool json)
    {
        if (goldPath is null) throw new EvaluationInputException("alignment scoring needs --gold FILE");
        var fmt = format.Equals("auto", StringComparison.OrdinalIgnoreCase) ? DetectFormat(goldPath) : GoldReader.ParseFormat(format);
        var gold = GoldReader.Read(goldPath, fmt, GoldReader.ParseOrder(order), sentences ?? hyp.Count);
        var score = AlignmentMetrics.Score(hyp.Select(h => (IReadOnlyCollection<AlignmentLink>)h).ToList(), gold.Sentences);
        var ic = CultureInfo.InvariantCulture;
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                precision = score.Precision, recall = score.Recall, aer = score.Aer,
                hyp_links = score.Hypothesis, sure_links = score.Sure, hyp_and_sure = score.HypAndSure, hyp_and_possible = score.HypAndPossible,
                sentences = gold.Sentences.Count, gold_format = fmt.ToString().ToLowerInvariant(),
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            output.WriteLine(string.Create(ic, $"Precision = {score.Precision:F4} Recall = {score.Recall:F4} AER = {score.Aer:F4} " +
                $"(|A| = {score.Hypothesis} |S| = {score.Sure} |A∩S| = {score.HypAndSure} |A∩P| = {score.HypAndPossible} sentences = {gold.Sentences.Count} gold = {fmt.ToString().ToLowerInvariant()})"));
        }
        return 0;
    }

    // ALIBI lines start with "index<TAB>"; NAACL lines are "SENT I J [S|P]"; anything else is Pharaoh.
    private static GoldFormat DetectFormat(string path)
    {
        var first = SegmentFile.Read(path).FirstOrDefault(l => l.Length > 0) ?? "";
        if (first.Contains('\t')) return GoldFormat.Alibi;
        var f = PyText.Split(first);
        if (f.Count is 3 or 4 && f.Take(3).All(x => x.All(char.IsAsciiDigit))) return GoldFormat.Naacl;
        return GoldFormat.Pharaoh;
    }
}
