using System.Globalization;
using System.Text.Json;
using Attend.Evaluation;
using Attend.Evaluation.Tokenizers;

namespace Attend.Tests.Evaluation;

/// <summary>
/// Every value in tests/fixtures/sacrebleu/cases.json (sacreBLEU 2.6.0): integer statistics exactly, the -w 2 string exactly,
/// full-precision values within 1e-9, signatures, and the tokenizer output line by line.
/// </summary>
public class SacreBleuParityTests
{
    private const double Tol = 1e-9;

    public static IEnumerable<object[]> BleuRows => SacreBleuCases.Rows("bleu");
    public static IEnumerable<object[]> ChrfRows => SacreBleuCases.Rows("chrf");
    public static IEnumerable<object[]> SentenceBleuRows => SacreBleuCases.Rows("sentence_bleu");
    public static IEnumerable<object[]> SentenceChrfRows => SacreBleuCases.Rows("sentence_chrf");
    public static IEnumerable<object[]> Cases => SacreBleuCases.CaseIds();

    private static (JsonElement Case, List<string> Hyps, List<IReadOnlyList<string>> Refs) Load(string id)
    {
        var c = SacreBleuCases.Case(id);
        SacreBleuCases.CheckHashes(c);
        var hyps = SegmentFile.Read(Path.Combine(SacreBleuCases.Folder, c.GetProperty("hyp").GetString()!));
        var refs = c.GetProperty("refs").EnumerateArray()
            .Select(r => (IReadOnlyList<string>)SegmentFile.Read(Path.Combine(SacreBleuCases.Folder, r.GetString()!)))
            .ToList();
        return (c, hyps, refs);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Files_have_the_documented_hashes_and_line_counts(string id)
    {
        var (c, hyps, refs) = Load(id);
        Assert.Equal(c.GetProperty("num_lines").GetInt32(), hyps.Count);
        Assert.Equal(c.GetProperty("num_refs").GetInt32(), refs.Count);
        Assert.All(refs, r => Assert.Equal(hyps.Count, r.Count));
    }

    [Theory]
    [MemberData(nameof(BleuRows))]
    public void Corpus_bleu_matches(string id, int index)
    {
        var (c, hyps, refs) = Load(id);
        var e = c.GetProperty("bleu")[index];
        var bleu = new Bleu(ParseBleuConfig(e.GetProperty("config")));
        var score = bleu.Corpus(hyps, refs);
        AssertBleu(e, score, e.GetProperty("signature").GetString()!);

        if (e.TryGetProperty("preprocessed", out var pre))
        {
            AssertLines(pre.GetProperty("hyp"), hyps.Select(bleu.Preprocess).ToList(), "hyp");
            int r = 0;
            foreach (var refLines in pre.GetProperty("refs").EnumerateArray())
            {
                AssertLines(refLines, refs[r].Select(bleu.Preprocess).ToList(), $"ref{r + 1}");
                r++;
            }
        }
    }

    [Theory]
    [MemberData(nameof(SentenceBleuRows))]
    public void Sentence_bleu_matches(string id, int index)
    {
        var (c, hyps, refs) = Load(id);
        var g = c.GetProperty("sentence_bleu")[index];
        var bleu = new Bleu(ParseBleuConfig(g.GetProperty("config")));
        string signature = g.GetProperty("signature").GetString()!;
        foreach (var line in g.GetProperty("lines").EnumerateArray())
        {
            int i = line.GetProperty("line").GetInt32() - 1;
            var score = bleu.Sentence(hyps[i], refs.Select(r => r[i]).ToArray());
            AssertBleu(line, score, signature, $"line {i + 1}: ");
        }
    }

    [Theory]
    [MemberData(nameof(ChrfRows))]
    public void Corpus_chrf_matches(string id, int index)
    {
        var (c, hyps, refs) = Load(id);
        var e = c.GetProperty("chrf")[index];
        var score = new Chrf(ParseChrfConfig(e.GetProperty("config"))).Corpus(hyps, refs);
        Assert.Equal(e.GetProperty("name").GetString(), score.Name);
        AssertChrf(e, score, e.GetProperty("signature").GetString()!);
    }

    [Theory]
    [MemberData(nameof(SentenceChrfRows))]
    public void Sentence_chrf_matches(string id, int index)
    {
        var (c, hyps, refs) = Load(id);
        var g = c.GetProperty("sentence_chrf")[index];
        var chrf = new Chrf(ParseChrfConfig(g.GetProperty("config")));
        string signature = g.GetProperty("signature").GetString()!;
        foreach (var line in g.GetProperty("lines").EnumerateArray())
        {
            int i = line.GetProperty("line").GetInt32() - 1;
            AssertChrf(line, chrf.Sentence(hyps[i], refs.Select(r => r[i]).ToArray()), signature, $"line {i + 1}: ");
        }
    }

    private static BleuConfig ParseBleuConfig(JsonElement cfg)
    {
        var sv = cfg.GetProperty("smooth_value");
        return new BleuConfig(
            BleuTokenizers.Parse(cfg.GetProperty("tokenize").GetString()!),
            cfg.GetProperty("lowercase").GetBoolean(),
            BleuConfig.ParseSmooth(cfg.GetProperty("smooth_method").GetString()!),
            sv.ValueKind == JsonValueKind.Null ? null : sv.GetDouble(),
            cfg.GetProperty("effective_order").GetBoolean());
    }

    private static ChrfConfig ParseChrfConfig(JsonElement cfg) => new(
        cfg.GetProperty("char_order").GetInt32(), cfg.GetProperty("word_order").GetInt32(),
        cfg.GetProperty("beta").GetInt32(), cfg.GetProperty("lowercase").GetBoolean(),
        cfg.GetProperty("whitespace").GetBoolean(), cfg.GetProperty("eps_smoothing").GetBoolean());

    private static void AssertBleu(JsonElement e, BleuScore s, string signature, string where = "")
    {
        Assert.True(Longs(e.GetProperty("counts")).SequenceEqual(s.Counts.Select(ToExactLong)),
            $"{where}counts expected [{Join(e.GetProperty("counts"))}] got [{string.Join(',', s.Counts)}]");
        Assert.True(Longs(e.GetProperty("totals")).SequenceEqual(s.Totals.Select(ToExactLong)),
            $"{where}totals expected [{Join(e.GetProperty("totals"))}] got [{string.Join(',', s.Totals)}]");
        Assert.True(e.GetProperty("sys_len").GetInt64() == s.SysLen, $"{where}sys_len {s.SysLen}");
        Assert.True(e.GetProperty("ref_len").GetInt64() == s.RefLen, $"{where}ref_len {s.RefLen}");
        AssertScore(e, s.Score, where);
        var precisions = e.GetProperty("precisions").EnumerateArray().Select(p => p.GetDouble()).ToArray();
        for (int n = 0; n < 4; n++)
            Assert.True(Math.Abs(precisions[n] - s.Precisions[n]) <= Tol, $"{where}precision {n + 1}: {precisions[n]} vs {s.Precisions[n]}");
        Assert.True(Math.Abs(e.GetProperty("bp").GetDouble() - s.Bp) <= Tol, $"{where}bp {s.Bp}");
        Assert.Equal(e.GetProperty("verbose").GetString(), s.Verbose);
        Assert.Equal(signature, s.Signature);
    }

    private static void AssertChrf(JsonElement e, ChrfScore s, string signature, string where = "")
    {
        Assert.True(Longs(e.GetProperty("stats")).SequenceEqual(s.Stats),
            $"{where}stats expected [{Join(e.GetProperty("stats"))}] got [{string.Join(',', s.Stats)}]");
        AssertScore(e, s.Score, where);
        Assert.Equal(signature, s.Signature);
    }

    // The printed -w 2 string must match exactly, except where the value sits within 1e-9 of a rounding tie:
    // there the last bit decides the string, so the full-precision check below is what counts.
    private static void AssertScore(JsonElement e, double score, string where)
    {
        double expected = e.GetProperty("score").GetDouble();
        Assert.True(Math.Abs(expected - score) <= Tol, $"{where}score {expected} vs {score}");
        var formatted = e.GetProperty("formatted");
        bool tie = formatted.TryGetProperty("near_rounding_tie", out var ties)
                   && ties.EnumerateArray().Any(w => w.GetInt32() == 2);
        if (!tie)
            Assert.Equal(formatted.GetProperty("w2").GetString(), score.ToString("F2", CultureInfo.InvariantCulture));
    }

    private static void AssertLines(JsonElement expected, List<string> actual, string what)
    {
        var exp = expected.EnumerateArray().Select(x => x.GetString()!).ToList();
        Assert.Equal(exp.Count, actual.Count);
        for (int i = 0; i < exp.Count; i++)
            Assert.True(exp[i] == actual[i], $"{what} line {i + 1}:\n expected «{exp[i]}»\n actual   «{actual[i]}»");
    }

    private static long ToExactLong(double d) => d == Math.Floor(d) ? (long)d : long.MinValue;
    private static IEnumerable<long> Longs(JsonElement a) => a.EnumerateArray().Select(x => x.GetInt64());
    private static string Join(JsonElement a) => string.Join(',', a.EnumerateArray().Select(x => x.GetRawText()));
}
