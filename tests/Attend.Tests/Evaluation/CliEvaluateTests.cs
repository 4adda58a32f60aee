using System.CommandLine;
using System.Text.Json;
using System.Xml.Linq;
using Attend.Cli.Commands;
using Attend.Evaluation.Alignment;

namespace Attend.Tests.Evaluation;

/// <summary>Runs `attend evaluate` and `attend plot` in-process on temporary files.</summary>
public sealed class CliEvaluateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("attend-eval-").FullName;
    private static string Case(string id, string f) => Path.Combine(SacreBleuCases.Folder, "cases", id, f);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand { EvaluateCommand.Build(), PlotCommand.Build() };
        var o = new StringWriter();
        var e = new StringWriter();
        int code = root.Parse(args).Invoke(new InvocationConfiguration { Output = o, Error = e });
        return (code, o.ToString(), e.ToString());
    }

    private string Write(string name, string content)
    {
        string p = Path.Combine(_dir, name);
        File.WriteAllText(p, content);
        return p;
    }

    [Fact]
    public void Text_output_is_sacrebleus_line_with_signature()
    {
        var (code, o, _) = Run("evaluate", "--hyp", Case("multi_ref_2", "hyp.txt"), "--ref", Case("multi_ref_2", "ref1.txt"),
            "--ref", Case("multi_ref_2", "ref2.txt"));
        Assert.Equal(0, code);
        var lines = o.Trim().Split('\n');
        Assert.Equal("BLEU|nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 61.76 86.4/69.2/58.8/41.4 (BP = 1.000 ratio = 1.073 hyp_len = 44 ref_len = 41)", lines[0]);
        Assert.Equal("chrF2|nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0 = 55.46", lines[1]);
    }

    [Fact]
    public void Json_output_has_the_full_statistics()
    {
        var (code, o, _) = Run("evaluate", "--hyp", Case("lowercase", "hyp.txt"), "--ref", Case("lowercase", "ref.txt"), "--lowercase", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(o);
        var expected = SacreBleuCases.Case("lowercase").GetProperty("bleu").EnumerateArray()
            .First(e => e.GetProperty("config").GetProperty("lowercase").GetBoolean() && e.GetProperty("config").GetProperty("tokenize").GetString() == "13a");
        var bleu = doc.RootElement.GetProperty("bleu");
        Assert.Equal(expected.GetProperty("score").GetDouble(), bleu.GetProperty("score").GetDouble(), 9);
        Assert.Equal(expected.GetProperty("counts").GetRawText().Replace(" ", ""), bleu.GetProperty("counts").GetRawText());
        Assert.Equal(expected.GetProperty("signature").GetString(), bleu.GetProperty("signature").GetString());
        // --lowercase is sacreBLEU's -lc: BLEU only, so chrF stays case-sensitive (see the test below).
        Assert.Equal("nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0", doc.RootElement.GetProperty("chrf").GetProperty("signature").GetString());
        // The documented shape: one line, bleu's fields in its order, chrf with score and signature.
        Assert.Single(o.Trim().Split('\n'));
        Assert.Equal(["bleu", "chrf"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["score", "counts", "totals", "precisions", "bp", "sys_len", "ref_len", "signature"], bleu.EnumerateObject().Select(p => p.Name));
        foreach (var key in new[] { "counts", "totals", "precisions" }) Assert.Equal(4, bleu.GetProperty(key).GetArrayLength());
        Assert.True(doc.RootElement.GetProperty("chrf").TryGetProperty("score", out _));

        // Names with '+' are written as they are, not as \u002B escapes.
        (code, o, _) = Run("evaluate", "--hyp", Case("lowercase", "hyp.txt"), "--ref", Case("lowercase", "ref.txt"), "--metrics", "chrf++", "--json");
        Assert.Equal(0, code);
        Assert.Contains("\"name\":\"chrF2++\"", o);
    }

    [Fact]
    public void Lowercase_is_bleu_only_and_chrf_lowercase_is_chrf_only_as_in_sacrebleu()
    {
        // The same command lines as sacreBLEU 2.6.0: -lc lowercases BLEU, --chrf-lowercase lowercases chrF.
        var chrf = SacreBleuCases.Case("lowercase").GetProperty("chrf").EnumerateArray()
            .Where(e => e.GetProperty("config").GetProperty("word_order").GetInt32() == 0)
            .ToDictionary(e => e.GetProperty("config").GetProperty("lowercase").GetBoolean());
        string[] files = ["evaluate", "--hyp", Case("lowercase", "hyp.txt"), "--ref", Case("lowercase", "ref.txt"), "--metrics", "bleu,chrf", "--json"];
        foreach (var (flags, bleuCase, chrfLower) in new[]
                 {
                     (new[] { "--lowercase" }, "lc", false), (new[] { "-lc" }, "lc", false),
                     (new[] { "--chrf-lowercase" }, "mixed", true), (new[] { "--lowercase", "--chrf-lowercase" }, "lc", true),
                 })
        {
            var (code, o, err) = Run([.. files, .. flags]);
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(o);
            var c = doc.RootElement.GetProperty("chrf");
            Assert.Equal(chrf[chrfLower].GetProperty("score").GetDouble(), c.GetProperty("score").GetDouble(), 9);
            Assert.Equal(chrf[chrfLower].GetProperty("signature").GetString(), c.GetProperty("signature").GetString());
            Assert.StartsWith($"nrefs:1|case:{bleuCase}|", doc.RootElement.GetProperty("bleu").GetProperty("signature").GetString());
        }
    }

    [Fact]
    public void Bad_input_exits_2_with_one_line()
    {
        var (code, _, err) = Run("evaluate", "--hyp", Case("identical", "hyp.txt"), "--ref", Case("german", "ref.txt"));
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("identical/hyp.txt has 5 lines", err);
        Assert.Contains("german/ref.txt has 7", err);

        (code, _, err) = Run("evaluate", "--hyp", Path.Combine(_dir, "missing.txt"), "--ref", Case("german", "ref.txt"));
        Assert.Equal(2, code);
        Assert.Contains("file not found", err);
        Assert.DoesNotContain("   at ", err);

        (code, _, err) = Run("evaluate", "--hyp", Case("identical", "hyp.txt"), "--ref", Case("identical", "ref.txt"), "--tokenize", "14q");
        Assert.Equal(2, code);
        Assert.Contains("unknown tokenizer '14q'", err);
    }

    [Fact]
    public void By_length_table_csv_json_and_chart_for_two_systems()
    {
        string src = Write("src.txt", "a b\na b c d e f g h i j k l\nx y\n");
        string refs = Write("ref.txt", "the cat sat on the mat\na long sentence about many different things here\nhello there my friend\n");
        string bad = Write("bad.txt", "the cat sat on the mat\nnothing matches\nhello there my friend\n");
        string csv = Path.Combine(_dir, "t.csv");
        var (code, o, err) = Run("evaluate", "--by-length", "--source", src, "--hyp", "good=" + refs, "--hyp", "bad=" + bad,
            "--ref", refs, "--buckets", "5", "--csv", csv, "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(o);
        Assert.Equal(2, doc.RootElement.GetProperty("systems").GetArrayLength());
        Assert.Equal(["0-5", "6+"], doc.RootElement.GetProperty("bucket_labels").EnumerateArray().Select(x => x.GetString()));
        Assert.Contains("\"6+\"", o); // not "6\u002B"
        var csvLines = File.ReadAllLines(csv);
        Assert.Equal(1 + 2 * 3, csvLines.Length);
        Assert.StartsWith("bad,6+,6,,1,0,", csvLines[5]);

        (code, o, _) = Run("evaluate", "--by-length", "--source", src, "--hyp", "good=" + refs, "--hyp", "bad=" + bad, "--ref", refs, "--buckets", "5");
        Assert.Equal(0, code);
        Assert.Contains("good BLEU", o);
        Assert.Contains("6+", o);

        string json = Write("r.json", Run("evaluate", "--by-length", "--source", src, "--hyp", "good=" + refs, "--ref", refs, "--json").Out);
        string svg = Path.Combine(_dir, "c.svg");
        Assert.Equal(0, Run("plot", "bleu-by-length", "--from", json, "--out", svg).Code);
        Assert.Equal("svg", XDocument.Load(svg).Root!.Name.LocalName);
        Assert.Equal(2, Run("evaluate", "--by-length", "--hyp", refs, "--ref", refs).Code); // no --source
    }

    [Fact]
    public void Alignment_mode_gold_against_itself_and_a_perturbed_copy()
    {
        string gold = Attend.Testing.Fixtures.FilePath("data", "alignment", "wpt03-en-fr", "dev.wa.nonullalign");
        var g = GoldReader.Read(gold, GoldFormat.Naacl, GoldOrder.SourceFirst, 37);
        string hyp = Write("hyp.pharaoh", string.Join("\n", g.Sentences.Select(s => Pharaoh.Format(s.Sure))) + "\n");
        var (code, o, err) = Run("evaluate", "--alignments", hyp, "--gold", gold, "--json");
        Assert.True(code == 0, err);
        using (var doc = JsonDocument.Parse(o))
        {
            Assert.Equal(0.0, doc.RootElement.GetProperty("aer").GetDouble(), 12);
            Assert.Equal(338, doc.RootElement.GetProperty("sure_links").GetInt64());
            Assert.Equal("naacl", doc.RootElement.GetProperty("gold_format").GetString());
        }
        // Target-first reading swaps every link, so the sure links no longer match (except the diagonal ones).
        (code, o, _) = Run("evaluate", "--alignments", hyp, "--gold", gold, "--gold-order", "target-first");
        Assert.Equal(0, code);
        Assert.StartsWith("Precision = ", o);
        Assert.DoesNotContain("AER = 0.0000", o);
        Assert.Equal(2, Run("evaluate", "--alignments", hyp).Code); // no --gold
    }

    [Fact]
    public void Plot_attention_writes_svg_and_terminal_grid()
    {
        string f = Write("a.json", """{"source":["la","maison","."],"target":["the","house","."],"attention":[[0.9,0.05,0.05],[0.1,0.8,0.1],[0,0,1]]}""");
        string svg = Path.Combine(_dir, "h.svg");
        var (code, o, err) = Run("plot", "attention", "--attention", f, "--out", svg, "--terminal");
        Assert.True(code == 0, err);
        Assert.Contains("maison", o);
        Assert.Equal(9, XDocument.Load(svg).Descendants().Count(e => (string?)e.Attribute("class") == "cell"));
        var bad = Run("plot", "attention", "--attention", Write("b.json", """{"source":["a"],"target":["x"],"attention":[[0.1,0.2]]}"""), "--out", svg);
        Assert.Equal(2, bad.Code);
        Assert.Contains("row 0 has 2 weights but source has 1", bad.Err);
    }

    [Fact]
    public void Attention_matrices_become_hard_alignments_and_are_scored()
    {
        // Sentence 0: argmax gives 0-0 1-1 and the <eos> row is dropped; sentence 1: 0-0 1-0 (threshold adds 1-1).
        string att = Write("att.json", """
            [{"source":["a","b","<eos>"],"target":["x","y","<eos>"],"attention":[[0.8,0.1,0.1],[0.2,0.7,0.1],[0,0,1]]},
             {"source":["c","d"],"target":["z","w"],"attention":[[0.9,0.1],[0.55,0.45]]}]
            """);
        string gold = Write("gold.pharaoh", "0-0 1-1\n0-0 1-1\n");
        string outPath = Path.Combine(_dir, "hyp.pharaoh");
        var (code, o, err) = Run("evaluate", "--attention", att, "--gold", gold, "--gold-format", "pharaoh", "--write-alignments", outPath, "--json");
        Assert.True(code == 0, err);
        Assert.Equal(["0-0 1-1", "0-0 0-1"], File.ReadAllLines(outPath));
        using (var doc = JsonDocument.Parse(o))
            Assert.Equal(1 - 6.0 / 8, doc.RootElement.GetProperty("aer").GetDouble(), 12); // |A|=4 |S|=4 |A∩S|=|A∩P|=3
        (code, o, _) = Run("evaluate", "--attention", att, "--align-threshold", "0.4", "--gold", gold, "--gold-format", "pharaoh", "--json");
        using (var doc = JsonDocument.Parse(o))
            Assert.Equal(1 - 8.0 / 9, doc.RootElement.GetProperty("aer").GetDouble(), 12); // |A|=5 |S|=4 |A∩S|=|A∩P|=4
    }
}
