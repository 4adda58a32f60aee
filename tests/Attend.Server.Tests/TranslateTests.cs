using System.Text.Json;
using Attend.Decoding;
using Attend.Runs;

namespace Attend.Server.Tests;

[Collection(ServerCollection.Name)]
public class TranslateTests(ServerFixture fx)
{
    [Fact]
    public async Task One_text_gives_tokens_attention_rows_that_sum_to_1_and_argmax_alignments()
    {
        using var client = fx.Factory.CreateClient();
        var (response, body) = await Http.PostJson(client, """{"text": "3/5/79"}""");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("attn", body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("ms").GetDouble() >= 0);
        var t = Assert.Single(body.GetProperty("translations").EnumerateArray());
        Assert.Equal(["3", "/", "5", "/", "7", "9"], Http.Strings(t.GetProperty("sourceTokens")));
        var target = Http.Strings(t.GetProperty("targetTokens"));
        var att = Http.Attention(t);
        Assert.Equal(target.Length, att.Length);
        Assert.All(att, row => { Assert.Equal(6, row.Length); Assert.Equal(1.0, row.Sum(x => (double)x), 4); });
        // Each content token links to its most-attended source token.
        int content = target.Length - (target[^1] == "</s>" ? 1 : 0);
        var expected = Enumerable.Range(0, content).Select(i => $"{Array.IndexOf(att[i], att[i].Max())}-{i}");
        Assert.Equal(string.Join(' ', expected), t.GetProperty("alignment").GetString());

        // The same pipeline as `attend translate`: the shared TextTranslator gives the same text and score.
        var loaded = RunDirectory.LoadModel(fx.Attn);
        var direct = TextTranslator.Translate(loaded, ["3/5/79"], new SearchOptions(BeamSize: 1))[0][0];
        Assert.Equal(direct.Text, t.GetProperty("text").GetString());
        Assert.Equal(direct.Score, t.GetProperty("score").GetDouble(), 6);
    }

    [Fact]
    public async Task Several_texts_come_back_in_order_each_as_if_sent_alone()
    {
        using var client = fx.Factory.CreateClient();
        string[] texts = ["May 3, 1979", "3/5/79", "on thursday, the third of may, in the year nineteen seventy-nine"];
        var (response, body) = await Http.PostJson(client, Http.Json(new { texts }));
        Assert.Equal(200, (int)response.StatusCode);
        var all = body.GetProperty("translations").EnumerateArray().ToList();
        Assert.Equal(texts.Length, all.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            var (_, alone) = await Http.PostJson(client, Http.Json(new { text = texts[i] }));
            var single = alone.GetProperty("translations")[0];
            Assert.Equal(texts[i].Length, all[i].GetProperty("sourceTokens").GetArrayLength());
            Assert.Equal(single.GetProperty("text").GetString(), all[i].GetProperty("text").GetString());
            Assert.Equal(single.GetProperty("score").GetDouble(), all[i].GetProperty("score").GetDouble(), 4);
        }
    }

    [Fact]
    public async Task Beam_with_nbest_lists_hypotheses_best_first_and_the_first_is_the_answer()
    {
        using var client = fx.Factory.CreateClient();
        var (response, body) = await Http.PostJson(client, """{"text": "May 3, 1979", "beam": 4, "nbest": 3, "lengthPenalty": 0.6}""");
        Assert.Equal(200, (int)response.StatusCode);
        var t = body.GetProperty("translations")[0];
        var list = t.GetProperty("nbest").EnumerateArray().ToList();
        Assert.InRange(list.Count, 1, 3);
        var scores = list.Select(h => h.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.Equal(t.GetProperty("text").GetString(), list[0].GetProperty("text").GetString());
        Assert.Equal(t.GetProperty("score").GetDouble(), scores[0]);
        var loaded = RunDirectory.LoadModel(fx.Attn);
        var direct = TextTranslator.Translate(loaded, ["May 3, 1979"], new SearchOptions(BeamSize: 4, Alpha: 0.6, NBest: 3))[0];
        Assert.Equal(direct.Select(h => h.Text), list.Select(h => h.GetProperty("text").GetString()));
        // Without nbest the field is absent.
        var (_, plain) = await Http.PostJson(client, """{"text": "May 3, 1979", "beam": 4}""");
        Assert.False(plain.GetProperty("translations")[0].TryGetProperty("nbest", out _));
    }

    [Fact]
    public async Task The_model_field_picks_a_model_and_a_model_without_attention_has_null_attention()
    {
        using var client = fx.Factory.CreateClient();
        var (response, body) = await Http.PostJson(client, """{"text": "3/5/79", "model": "plain"}""");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("plain", body.GetProperty("model").GetString());
        var t = body.GetProperty("translations")[0];
        Assert.Equal(JsonValueKind.Null, t.GetProperty("attention").ValueKind);
        Assert.Equal("", t.GetProperty("alignment").GetString());
        var loaded = RunDirectory.LoadModel(fx.Plain);
        Assert.Equal(TextTranslator.Translate(loaded, ["3/5/79"], new SearchOptions())[0][0].Text, t.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Health_says_ok_with_the_number_of_models_once_warm()
    {
        using var client = fx.Factory.CreateClient();
        var (response, body) = await Http.WaitReady(client);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(2, body.GetProperty("models").GetInt32());
    }
}
