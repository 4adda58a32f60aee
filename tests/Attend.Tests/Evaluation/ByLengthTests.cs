using Attend.Evaluation;

namespace Attend.Tests.Evaluation;

public class ByLengthTests
{
    [Fact]
    public void Buckets_are_inclusive_ranges_with_an_open_last_bucket()
    {
        var b = LengthBuckets.Parse("10,20");
        Assert.Equal(["0-10", "11-20", "21+"], Enumerable.Range(0, b.Count).Select(b.Label));
        Assert.Equal([0, 0, 1, 1, 2], new[] { 0, 10, 11, 20, 21 }.Select(b.IndexOf));
        Assert.Throws<EvaluationInputException>(() => LengthBuckets.Parse("20,10"));
        Assert.Throws<EvaluationInputException>(() => LengthBuckets.Parse("10,x"));
    }

    [Fact]
    public void Each_bucket_is_scored_as_its_own_corpus()
    {
        string[] src = ["a b", "a b c d e f g h i j k l", "x y"];
        string[] refs = ["the cat sat on the mat", "a long sentence about many different things here", "hello there my friend"];
        string[] good = refs;
        string[] bad = ["the cat sat on the mat", "nothing matches", "hello there my friend"];
        var t = ByLength.Score(src, [("good", good), ("bad", bad)], [refs], LengthBuckets.Parse("5"));
        Assert.Equal([2, 1], t.BucketSentences);
        var goodShort = t.Systems[0].Buckets[0];
        Assert.Equal(100.0, goodShort.Bleu!.Value, 9);
        // Bucket 0 of "bad" equals bucket 0 of "good" (same sentences there); the long bucket differs.
        Assert.Equal(goodShort.Bleu, t.Systems[1].Buckets[0].Bleu);
        Assert.Equal(0.0, t.Systems[1].Buckets[1].Bleu!.Value);
        var direct = new Bleu(new BleuConfig()).Corpus([bad[0], bad[2]], [[refs[0], refs[2]]]);
        Assert.Equal(direct.Score, t.Systems[1].Buckets[0].Bleu);
        Assert.Equal(new Bleu(new BleuConfig()).Corpus(bad, [refs]).Score, t.Systems[1].Overall.Bleu);
    }

    [Fact]
    public void Empty_bucket_has_no_scores_and_json_round_trips()
    {
        var t = ByLength.Score(["a"], [("s", ["x y"])], [["x y"]], LengthBuckets.Parse("10,20"));
        Assert.Null(t.Systems[0].Buckets[1].Bleu);
        var back = ByLengthReport.FromJson(ByLengthReport.ToJson(t), "mem");
        Assert.Equal(t.BucketLabels, back.BucketLabels);
        Assert.Equal(t.Systems[0].Buckets[0], back.Systems[0].Buckets[0]);
        Assert.StartsWith("system,bucket,", ByLengthReport.ToCsv(t));
        Assert.Contains("s,0-10,0,10,1,", ByLengthReport.ToCsv(t));
    }
}
