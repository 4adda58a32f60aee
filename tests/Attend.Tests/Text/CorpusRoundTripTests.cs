using Attend.Text;

namespace Attend.Tests.Text;

/// <summary>
/// One pass over all of Multi30k (en/de/fr/cs × train/val/test_2016_flickr) and both sides of Tatoeba, shared by
/// the round-trip tests below: normalize each line, word- and char-tokenize it, detokenize and compare; collect the
/// distinct word tokens (for BPE) and the token counts of Multi30k train de+en (to learn BPE on).
/// </summary>
public sealed class CorpusPass
{
    public long Lines, WordFailures, CharFailures;
    public string? FirstFailure;
    public readonly HashSet<string> DistinctTokens = new(StringComparer.Ordinal);
    public readonly Dictionary<string, long> TrainDeEnCounts = new(StringComparer.Ordinal);

    public CorpusPass()
    {
        var normalizer = new Normalizer();
        var word = new WordTokenizer();
        var chars = new CharTokenizer();
        void Check(string raw, Dictionary<string, long>? counts)
        {
            string s = normalizer.Normalize(raw);
            var tokens = word.Tokenize(s);
            Lines++;
            if (word.Detokenize(tokens) != s) { WordFailures++; FirstFailure ??= s; }
            if (chars.Detokenize(chars.Tokenize(s)) != s) { CharFailures++; FirstFailure ??= s; }
            foreach (var t in tokens)
            {
                DistinctTokens.Add(t);
                if (counts is not null) counts[t] = counts.GetValueOrDefault(t) + 1;
            }
        }
        foreach (var split in TextTestData.Multi30kSplits)
            foreach (var lang in TextTestData.Multi30kLanguages)
            {
                var counts = split == "train" && lang is "de" or "en" ? TrainDeEnCounts : null;
                foreach (var line in TextFile.ReadLines(TextTestData.Multi30k(split, lang))) Check(line.Text, counts);
            }
        foreach (var pair in ParallelCorpus.ReadTsv(TextTestData.Tatoeba)) { Check(pair.Source, null); Check(pair.Target, null); }
    }
}

public class CorpusRoundTripTests(CorpusPass pass) : IClassFixture<CorpusPass>
{
    /// <summary>detokenize(tokenize(s)) == normalize(s) on every line, for the word and the char tokenizer.
    /// No exceptions are allowed.</summary>
    [Fact]
    public void Tokenize_then_detokenize_is_exact_on_all_of_Multi30k_and_Tatoeba()
    {
        Assert.Equal(4 * (29000 + 1014 + 1000) + 2 * 135842, pass.Lines);
        Assert.True(pass.WordFailures == 0, $"{pass.WordFailures} lines fail the word round trip, first: {pass.FirstFailure}");
        Assert.True(pass.CharFailures == 0, $"{pass.CharFailures} lines fail the char round trip, first: {pass.FirstFailure}");
    }

    /// <summary>
    /// Segment → desegment gives back every word token of both corpora, with merges learned on Multi30k train de+en.
    /// Checking each distinct token covers every line: BPE segments words independently (a line's segmentation is
    /// the concatenation of its words'), and a word's last piece never carries "@@".
    /// </summary>
    [Fact]
    public void Segment_then_desegment_is_exact_for_every_token_of_Multi30k_and_Tatoeba()
    {
        var codes = BpeLearner.Learn(pass.TrainDeEnCounts, new BpeLearnOptions(Merges: 4000));
        Assert.Equal(4000, codes.Merges.Count);
        var seg = new BpeSegmenter(codes);
        int failures = 0, split = 0;
        foreach (var token in pass.DistinctTokens)
        {
            var pieces = seg.SegmentWord(token);
            if (pieces.Count > 1) split++;
            var back = BpeSegmenter.Desegment(pieces);
            bool markersRight = pieces.Take(pieces.Count - 1).All(p => p.EndsWith("@@", StringComparison.Ordinal)) && !pieces[^1].EndsWith("@@", StringComparison.Ordinal);
            if (back.Count != 1 || back[0] != token || !markersRight) failures++;
        }
        Assert.Equal(0, failures);
        Assert.True(split > pass.DistinctTokens.Count / 2, $"only {split} of {pass.DistinctTokens.Count} tokens were split: the test would prove little");
    }
}
