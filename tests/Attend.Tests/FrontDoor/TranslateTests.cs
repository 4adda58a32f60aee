// TranslationModel gives what the library's text pipeline (the one `attend translate` and the server use) gives.
using Attend.Decoding;
using Attend.Runs;

namespace Attend.Tests.FrontDoor;

[Collection(FrontDoorCollection.Name)]
public class TranslateTests(FrontDoorFixture fx)
{
    /// <summary>The search `attend translate --model RUN [--beam B] [--alpha A] [--nbest N]` builds.</summary>
    private static SearchOptions CliSearch(LoadedModel m, int? beam = null, double? alpha = null, int nbest = 1)
    {
        var t = m.Config.Testing;
        return new SearchOptions(beam ?? t.BeamSize, alpha ?? t.Alpha, t.MaxOutputRatio, nbest, t.BatchSize);
    }

    /// <summary>Everything a Translation carries equals the library hypothesis it came from.</summary>
    internal static void AssertSame(TextHypothesis expected, Translation actual)
    {
        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.Score, actual.Score);
        Assert.Equal(expected.LogProb, actual.LogProbability);
        Assert.Equal(expected.SourceTokens, actual.SourceTokens);
        Assert.Equal(expected.TargetTokens, actual.TargetTokens);
        Assert.Equal(expected.Alignment, actual.Alignment);
        Assert.NotNull(expected.Attention);
        Assert.NotNull(actual.Attention);
        Assert.Equal(expected.Attention.GetLength(0), actual.Attention.Length);
        for (int t = 0; t < actual.Attention.Length; t++)
            for (int s = 0; s < expected.Attention.GetLength(1); s++) Assert.Equal(expected.Attention[t, s], actual.Attention[t][s]);
    }

    [Fact]
    public void Defaults_are_the_runs_testing_section_and_give_the_library_result()
    {
        using var model = TranslationModel.Load(fx.Attn);
        var loaded = RunDirectory.LoadModel(fx.Attn);
        Assert.Equal(3, model.Defaults.Beam);
        Assert.Equal(0.6, model.Defaults.Alpha);
        // A sentence alone, as `attend translate` reads stdin (a batch pads it: scores may differ in the last bits).
        var one = model.Translate(FrontDoorFixture.Lines[2]);
        AssertSame(TextTranslator.Translate(loaded, [FrontDoorFixture.Lines[2]], CliSearch(loaded))[0][0], one);
        var expected = TextTranslator.Translate(loaded, FrontDoorFixture.Lines, CliSearch(loaded));
        var all = model.Translate(FrontDoorFixture.Lines);
        Assert.Equal(FrontDoorFixture.Lines.Length, all.Count);
        for (int i = 0; i < all.Count; i++) AssertSame(expected[i][0], all[i]);
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.0)]
    [InlineData(4, 1.0)]
    public void Options_override_the_run_and_give_the_library_result(int beam, double alpha)
    {
        using var model = TranslationModel.Load(fx.Attn);
        var loaded = RunDirectory.LoadModel(fx.Attn);
        var expected = TextTranslator.Translate(loaded, FrontDoorFixture.Lines, CliSearch(loaded, beam, alpha));
        var all = model.Translate(FrontDoorFixture.Lines, new TranslateOptions { Beam = beam, Alpha = alpha });
        for (int i = 0; i < all.Count; i++) AssertSame(expected[i][0], all[i]);
    }

    [Fact]
    public void NBest_lists_equal_the_library_lists_best_first()
    {
        using var model = TranslationModel.Load(fx.Attn);
        var loaded = RunDirectory.LoadModel(fx.Attn);
        var expected = TextTranslator.Translate(loaded, FrontDoorFixture.Lines, CliSearch(loaded, 4, nbest: 3));
        var lists = model.TranslateNBest(FrontDoorFixture.Lines, new TranslateOptions { Beam = 4, NBest = 3 });
        for (int i = 0; i < lists.Count; i++)
        {
            Assert.Equal(expected[i].Length, lists[i].Count);
            for (int k = 0; k < lists[i].Count; k++) AssertSame(expected[i][k], lists[i][k]);
            Assert.Equal(lists[i].Select(h => h.Score).OrderDescending(), lists[i].Select(h => h.Score));
        }
        Assert.Equal(3, model.TranslateNBest(FrontDoorFixture.Lines[2], new TranslateOptions { Beam = 4, NBest = 3 }).Count);
    }

    [Fact]
    public void Attention_has_a_row_per_target_token_including_eos_and_rows_sum_to_one()
    {
        using var model = TranslationModel.Load(fx.Attn);
        Assert.True(model.HasAttention);
        foreach (var t in model.Translate(FrontDoorFixture.Lines, new TranslateOptions { Beam = 1 }))
        {
            Assert.NotNull(t.Attention);
            Assert.Equal(t.TargetTokens.Count, t.Attention.Length);
            Assert.Equal(Translation.EndOfSentence, t.TargetTokens[^1]);
            foreach (var row in t.Attention)
            {
                Assert.Equal(t.SourceTokens.Count, row.Length);
                Assert.Equal(1.0, row.Sum(), 4);
            }
        }
        var without = model.Translate(FrontDoorFixture.Lines[0], new TranslateOptions { IncludeAttention = false });
        Assert.Null(without.Attention);
        Assert.Equal(model.Translate(FrontDoorFixture.Lines[0]).Text, without.Text);
    }

    [Fact]
    public void Without_attention_tokens_end_with_eos_unless_the_length_limit_cut_the_output()
    {
        using (var plain = TranslationModel.Load(fx.Plain))
        {
            Assert.False(plain.HasAttention);
            // The barely trained model repeats one token until the limit ⌈1.5 · S⌉ + 10 cuts it: no </s>.
            var cut = plain.Translate("3/5/79", new TranslateOptions { Beam = 1 });
            Assert.Null(cut.Attention);
            Assert.Equal("", cut.Alignment);
            Assert.Equal((int)Math.Ceiling(1.5 * cut.SourceTokens.Count) + 10, cut.TargetTokens.Count);
            Assert.DoesNotContain(Translation.EndOfSentence, cut.TargetTokens);
        }
        // The same weights with the output bias of </s> raised so far that the first step emits it.
        using var stops = TranslationModel.Load(fx.PlainThatStops());
        foreach (int beam in new[] { 1, 3 })
        {
            var t = stops.Translate("3/5/79", new TranslateOptions { Beam = beam });
            Assert.Equal("", t.Text);
            Assert.Equal([Translation.EndOfSentence], t.TargetTokens);
        }
    }

    [Fact]
    public void ReplaceUnknowns_puts_the_most_attended_source_token_in_place_of_unk()
    {
        using var model = TranslationModel.Load(fx.AttnThatEmitsUnknowns());
        var raw = model.Translate("3/5/79", new TranslateOptions { Beam = 1 });
        Assert.All(raw.TargetTokens, t => Assert.Equal("<unk>", t));
        var replaced = model.Translate("3/5/79", new TranslateOptions { Beam = 1, ReplaceUnknowns = true });
        Assert.Equal(raw.TargetTokens.Count, replaced.TargetTokens.Count);
        for (int t = 0; t < replaced.TargetTokens.Count; t++)
        {
            var row = replaced.Attention![t];
            Assert.Equal(replaced.SourceTokens[Array.IndexOf(row, row.Max())], replaced.TargetTokens[t]);
        }
        Assert.NotEqual(raw.Text, replaced.Text);
    }

    [Fact]
    public void Empty_or_blank_texts_give_empty_translations_and_leave_the_others_unchanged()
    {
        using var model = TranslationModel.Load(fx.Attn);
        var blank = model.Translate("   ");
        Assert.Equal("", blank.Text);
        Assert.Empty(blank.SourceTokens);
        Assert.Empty(blank.TargetTokens);
        Assert.Null(blank.Attention);
        Assert.Equal(0, blank.Score);
        var mixed = model.Translate(["", FrontDoorFixture.Lines[0], " ", FrontDoorFixture.Lines[1]]);
        Assert.Equal(["", model.Translate(FrontDoorFixture.Lines[0]).Text, "", model.Translate(FrontDoorFixture.Lines[1]).Text],
            mixed.Select(t => t.Text));
        Assert.Empty(model.Translate(Array.Empty<string>()));
    }

    [Fact]
    public void Out_of_range_options_are_refused_naming_the_option()
    {
        using var model = TranslationModel.Load(fx.Attn);
        Assert.Equal("Beam", Assert.Throws<ArgumentOutOfRangeException>(() =>
            model.Translate("1/2/03", new TranslateOptions { Beam = 0 })).ParamName);
        Assert.Equal("Alpha", Assert.Throws<ArgumentOutOfRangeException>(() =>
            model.Translate("1/2/03", new TranslateOptions { Alpha = -1 })).ParamName);
        Assert.Equal("NBest", Assert.Throws<ArgumentOutOfRangeException>(() =>
            model.TranslateNBest("1/2/03", new TranslateOptions { Beam = 2, NBest = 3 })).ParamName);
        Assert.Equal("MaxOutputRatio", Assert.Throws<ArgumentOutOfRangeException>(() =>
            model.Translate("1/2/03", new TranslateOptions { MaxOutputRatio = 0 })).ParamName);
        Assert.Equal("MaxInputTokens", Assert.Throws<ArgumentOutOfRangeException>(() =>
            model.Translate("1/2/03", new TranslateOptions { MaxInputTokens = 0 })).ParamName);
    }

    [Fact]
    public void Tokenize_gives_the_source_tokens_and_a_text_past_MaxInputTokens_is_refused()
    {
        using var model = TranslationModel.Load(fx.Attn);
        var text = FrontDoorFixture.Lines[1];
        var tokens = model.Tokenize(text);
        Assert.Equal(model.Translate(text).SourceTokens, tokens);
        Assert.Equal(tokens, model.Translate(text, new TranslateOptions { MaxInputTokens = tokens.Count }).SourceTokens);
        var e = Assert.Throws<InputTooLongException>(() => model.Translate(text, new TranslateOptions { MaxInputTokens = tokens.Count - 1 }));
        Assert.Contains($"{tokens.Count} tokens, more than the limit of {tokens.Count - 1}", e.Message);
    }

    [Fact]
    public void Translate_after_dispose_throws_ObjectDisposedException()
    {
        var model = TranslationModel.Load(fx.Attn);
        Assert.NotEmpty(model.Translate("3/5/79").Text);
        model.Dispose();
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Translate("3/5/79"));
        Assert.Throws<ObjectDisposedException>(() => model.TranslateNBest(["3/5/79"]));
    }

    [Fact]
    public void An_ensemble_of_two_checkpoints_gives_the_library_ensemble_result()
    {
        using var model = TranslationModel.Load(fx.Attn, fx.AttnFirstStep);
        Assert.Equal(2, model.CheckpointDirectories.Count);
        var a = RunDirectory.LoadModel(fx.Attn);
        var b = RunDirectory.LoadModel(fx.AttnFirstStep);
        var sources = FrontDoorFixture.Lines.Select(l => TextTranslator.Tokenize(a, l)).ToList();
        var expected = TextTranslator.Translate(a, [a.Model, b.Model], sources, CliSearch(a));
        var all = model.Translate(FrontDoorFixture.Lines);
        for (int i = 0; i < all.Count; i++) AssertSame(expected[i][0], all[i]);
        // Not the single model's answer: the second member takes part.
        var single = TextTranslator.Translate(a, FrontDoorFixture.Lines, CliSearch(a));
        Assert.NotEqual(single.Select(h => h[0].Score), all.Select(t => t.Score));
    }
}
