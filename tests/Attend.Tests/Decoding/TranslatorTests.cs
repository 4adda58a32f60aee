using Attend.Decoding;
using Attend.Model;
using Attend.Runs;
using Attend.Tensors;
using Attend.Tests.Training;
using Attend.Training;

namespace Attend.Tests.Decoding;

public class TranslatorTests
{
    private static Seq2Seq Model(ulong seed) => Seq2Seq.Create(new ModelConfig
    {
        SourceVocab = 12, TargetVocab = 9, EmbeddingSize = 8, HiddenSize = 12, Attention = Attend.Attention.AttentionKind.Bahdanau,
    }, seed);

    private static readonly int[][] Sources = [[4, 5, 6, 7], [8, 9], [10, 4, 11, 5, 6, 7, 8]];

    /// <summary>Sum of log P(y_t | y_&lt;t, x) of <paramref name="tokens"/> followed by EOS, by a teacher-forced forward pass.</summary>
    private static double Score(Seq2Seq m, int[] src, int[] tokens, bool withEos)
    {
        using var scope = TensorScope.Begin();
        using var off = GradMode.Off();
        var batch = Seq2SeqBatch.FromPairs([src], [tokens]);
        var logits = m.Forward(batch).Logits;
        int v = m.Config.TargetVocab, n = tokens.Length + (withEos ? 1 : 0);
        double sum = 0;
        for (int t = 0; t < n; t++) sum += Translator.LogSoftmaxAt(logits.Data.Slice(t * v, v), batch.TargetOut[t]);
        return sum;
    }

    [Fact]
    public void Beam_hypotheses_are_sorted_and_their_log_probs_equal_the_recomputed_sum()
    {
        var m = Model(4);
        var results = Translator.Decode(m, Sources, new SearchOptions(BeamSize: 4, NBest: 4, MaxOutputRatio: 1));
        foreach (var (hyps, i) in results.Select((h, i) => (h, i)))
        {
            Assert.True(hyps.Length > 1);
            for (int k = 1; k < hyps.Length; k++) Assert.True(hyps[k - 1].Score >= hyps[k].Score);
            foreach (var h in hyps)
            {
                int steps = new SearchOptions(MaxOutputRatio: 1).MaxSteps(Sources[i].Length);
                bool ended = h.Tokens.Length < steps;
                Assert.Equal(Score(m, Sources[i], h.Tokens, ended), h.LogProb, 4);
            }
        }
    }

    [Fact]
    public void The_length_penalty_divides_the_log_prob_as_GNMT_says()
    {
        var m = Model(5);
        var h = Translator.Decode(m, Sources, new SearchOptions(BeamSize: 3, Alpha: 0.6, NBest: 3));
        foreach (var (hyp, i) in h.SelectMany((x, i) => x.Select(hyp => (hyp, i))))
        {
            int len = hyp.Tokens.Length + 1;
            if (len > new SearchOptions(MaxOutputRatio: 1.5).MaxSteps(Sources[i].Length)) continue; // cut at its limit: no EOS
            Assert.Equal(hyp.LogProb / Math.Pow((5.0 + len) / 6.0, 0.6), hyp.Score, 9);
        }
    }

    [Fact]
    public void Beam_one_equals_greedy_through_the_translator()
    {
        var m = Model(6);
        var greedy = Translator.Decode(m, Sources, new SearchOptions(BeamSize: 1));
        var r = BeamSearch.Decode(m, Sources[2], 1, [Sources[2].Length], new BeamOptions(1, new SearchOptions().MaxSteps(7)));
        var beamTokens = r.Tokens[0][0].TakeWhile(t => t != m.Config.EosId).ToArray();
        Assert.Equal(greedy[2][0].Tokens, beamTokens);
        Assert.Equal(greedy[2][0].LogProb, r.Scores[0][0], 4);
    }

    [Fact]
    public void Alignments_are_pharaoh_pairs_of_the_most_attended_source()
    {
        var att = new float[,] { { 0.1f, 0.9f, 0f }, { 0.7f, 0.2f, 0.1f }, { 0f, 0f, 1f } };
        Assert.Equal("1-0 0-1 2-2", Translator.Pharaoh(att, 3));
        Assert.Equal(["x", "A", "z"], Translator.ReplaceUnknowns(["x", "<unk>", "z"], ["A", "B", "C"], att, [5, Attend.Text.Vocabulary.Unk, 6]));
    }

    [Fact]
    public void Averaging_two_checkpoints_gives_the_mean_of_their_weights()
    {
        var dir = RepoPaths.TempDir("avg");
        try
        {
            var run = Path.Combine(dir, "run");
            TrainingRun.Start(TrainerTests.Tiny(run, 14), false, new RecordingObserver()).Run();
            var steps = RunDirectory.StepDirs(run).TakeLast(2).ToList();
            Assert.Equal(2, steps.Count);
            var outDir = Path.Combine(dir, "avg");
            CheckpointAverage.Write(steps, outDir);
            var a = RunDirectory.LoadModel(steps[0]).Model.NamedParameters().ToList();
            var b = RunDirectory.LoadModel(steps[1]).Model.NamedParameters().ToList();
            var avg = RunDirectory.LoadModel(outDir).Model.NamedParameters().ToList();
            for (int i = 0; i < avg.Count; i++)
                for (int j = 0; j < avg[i].Param.Length; j += 7)
                    Assert.Equal((float)(((double)a[i].Param.Data[j] + b[i].Param.Data[j]) / 2), avg[i].Param.Data[j]);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

public class EnsembleTests
{
    private static Seq2Seq Model(ulong seed) => Seq2Seq.Create(new ModelConfig
    {
        SourceVocab = 12, TargetVocab = 9, EmbeddingSize = 8, HiddenSize = 12, Attention = Attend.Attention.AttentionKind.Bahdanau,
    }, seed);

    [Fact]
    public void An_ensemble_of_one_model_twice_equals_that_model_greedy()
    {
        var m = Model(8);
        int[][] src = [[4, 5, 6], [7, 8, 9, 10, 11]];
        var single = Translator.Decode(m, src, new SearchOptions());
        var twice = Translator.Decode([m, m], src, new SearchOptions());
        for (int i = 0; i < src.Length; i++)
        {
            Assert.Equal(single[i][0].Tokens, twice[i][0].Tokens);
            Assert.Equal(single[i][0].LogProb, twice[i][0].LogProb, 4);
        }
    }

    [Fact]
    public void An_ensemble_follows_the_average_of_the_log_probs()
    {
        var a = Model(9);
        var b = Model(10);
        int[] src = [4, 5, 6, 7];
        var h = Translator.Decode([a, b], [src], new SearchOptions(MaxOutputRatio: 1))[0][0];
        // Rescore the chosen tokens with each model (teacher forced): every step picked the argmax of the mean
        // log-probabilities, and the EOS that ended the output too.
        using var off = GradMode.Off();
        var batch = Seq2SeqBatch.FromPairs([src], [h.Tokens]);
        var la = a.Forward(batch).Logits.Data.ToArray();
        var lb = b.Forward(batch).Logits.Data.ToArray();
        int v = 9;
        bool ended = h.Tokens.Length < new SearchOptions(MaxOutputRatio: 1).MaxSteps(src.Length);
        int[] chosen = ended ? [.. h.Tokens, a.Config.EosId] : h.Tokens;
        Assert.True(chosen.Length >= 2, "too short to test more than one step");
        double sum = 0;
        for (int t = 0; t < chosen.Length; t++)
        {
            var mean = Enumerable.Range(0, v).Select(w => (Translator.LogSoftmaxAt(la.AsSpan(t * v, v), w) + Translator.LogSoftmaxAt(lb.AsSpan(t * v, v), w)) / 2).ToArray();
            Assert.Equal(Array.IndexOf(mean, mean.Max()), chosen[t]);
            sum += mean[chosen[t]];
        }
        Assert.Equal(sum, h.LogProb, 4);
    }

    [Fact]
    public void Ensemble_beam_of_one_model_is_beam_search_exactly()
    {
        var m = Model(11);
        var batch = Seq2SeqBatch.FromPairs([[4, 5, 6, 7], [8, 9], [10, 4, 11, 5, 6, 7, 8]], [[], [], []]);
        var options = new BeamOptions(BeamSize: 3, MaxSteps: 12);
        var single = BeamSearch.Decode(m, batch.Source, batch.Batch, batch.SourceLengths, options);
        var ensemble = EnsembleBeam.Decode([m], batch.Source, batch.Batch, batch.SourceLengths, options);
        Assert.Equal(single.Tokens, ensemble.Tokens);
        Assert.Equal(single.Scores, ensemble.Scores);
        Assert.Equal(single.Weights, ensemble.Weights);
    }

    [Fact]
    public void Ensemble_beam_of_one_model_twice_equals_that_model_and_beam_one_equals_ensemble_greedy()
    {
        var m = Model(12);
        int[][] src = [[4, 5, 6], [7, 8, 9, 10, 11]];
        var single = Translator.Decode(m, src, new SearchOptions(BeamSize: 4, NBest: 4));
        var twice = Translator.Decode([m, m], src, new SearchOptions(BeamSize: 4, NBest: 4));
        for (int i = 0; i < src.Length; i++)
        {
            Assert.Equal(single[i].Select(h => h.Tokens), twice[i].Select(h => h.Tokens));
            Assert.Equal(single[i].Select(h => h.Score), twice[i].Select(h => h.Score));
        }
        var other = Model(13);
        var greedy = Translator.Decode([m, other], src, new SearchOptions(BeamSize: 1));
        var beam1 = EnsembleBeam.Decode([m, other], src[1], 1, [src[1].Length], new BeamOptions(1, new SearchOptions().MaxSteps(src[1].Length)));
        Assert.Equal(greedy[1][0].Tokens, beam1.Tokens[0][0].TakeWhile(t => t != m.Config.EosId).ToArray());
    }

    /// <summary>Every n-best hypothesis of a two-model beam scores the sum over its tokens (and EOS) of the two models' mean log-probability.</summary>
    [Fact]
    public void Ensemble_beam_hypotheses_are_sorted_and_score_the_mean_log_probs()
    {
        var a = Model(14);
        var b = Model(15);
        int[] src = [4, 5, 6, 7, 8];
        var options = new SearchOptions(BeamSize: 4, NBest: 4, MaxOutputRatio: 1);
        var hyps = Translator.Decode([a, b], [src], options)[0];
        Assert.True(hyps.Length > 1);
        for (int k = 1; k < hyps.Length; k++) Assert.True(hyps[k - 1].Score >= hyps[k].Score);
        using var off = GradMode.Off();
        int v = 9;
        foreach (var h in hyps)
        {
            bool ended = h.Tokens.Length < options.MaxSteps(src.Length);
            int[] chosen = ended ? [.. h.Tokens, a.Config.EosId] : h.Tokens;
            var batch = Seq2SeqBatch.FromPairs([src], [h.Tokens]);
            var la = a.Forward(batch).Logits.Data.ToArray();
            var lb = b.Forward(batch).Logits.Data.ToArray();
            double sum = 0;
            for (int t = 0; t < chosen.Length; t++)
                sum += (Translator.LogSoftmaxAt(la.AsSpan(t * v, v), chosen[t]) + Translator.LogSoftmaxAt(lb.AsSpan(t * v, v), chosen[t])) / 2;
            Assert.Equal(sum, h.LogProb, 4);
            Assert.NotNull(h.Attention);
        }
    }
}

public class SearchLimitTests
{
    /// <summary>A random Bahdanau model that never emits EOS (its output bias for EOS is −10⁴), so every hypothesis runs to the step limit.</summary>
    internal static Seq2Seq Endless(ulong seed = 21)
    {
        var m = Seq2Seq.Create(new ModelConfig
        {
            SourceVocab = 12, TargetVocab = 9, EmbeddingSize = 8, HiddenSize = 12, Attention = Attend.Attention.AttentionKind.Bahdanau,
        }, seed);
        var bias = m.NamedParameters().Single(p => p.Name.EndsWith("out.bias")).Param;
        bias.Data[m.Config.EosId] = -1e4f;
        return m;
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(1, 2.0)]
    [InlineData(3, 0.5)]
    [InlineData(3, 2.0)]
    public void Output_length_is_capped_at_the_ratio_of_the_source_length_plus_ten(int beam, double ratio)
    {
        var m = Endless();
        int[][] sources = [[4, 5], [6, 7, 8, 9, 10, 11, 4, 5, 6, 7]];
        var options = new SearchOptions(BeamSize: beam, MaxOutputRatio: ratio, NBest: beam);
        // Sentences are decoded one per batch here, so each gets its own limit.
        foreach (var src in sources)
        {
            var hyps = Translator.Decode(m, [src], options)[0];
            Assert.All(hyps, h => Assert.Equal((int)Math.Ceiling(ratio * src.Length) + 10, h.Tokens.Length));
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 2)]
    public void A_sentence_in_a_batch_gets_its_own_limit_and_the_output_it_gets_alone(int beam, int models)
    {
        Seq2Seq[] ms = models == 1 ? [Endless()] : [Endless(), Endless(23)];
        int[][] sources = [[4, 5], [6, 7, 8, 9, 10, 11, 4, 5, 6, 7], [8, 9, 10]];
        var options = new SearchOptions(BeamSize: beam, Alpha: 0.6, NBest: beam);
        var together = Translator.Decode(ms, sources, options);
        for (int i = 0; i < sources.Length; i++)
        {
            var alone = Translator.Decode(ms, [sources[i]], options)[0];
            Assert.Equal(alone.Length, together[i].Length);
            for (int k = 0; k < alone.Length; k++)
            {
                var (a, t) = (alone[k], together[i][k]);
                Assert.Equal(options.MaxSteps(sources[i].Length), t.Tokens.Length);
                Assert.Equal(a.Tokens, t.Tokens);
                Assert.Equal(a.LogProb, t.LogProb, 1e-4); // one sentence takes the GEMM's few-rows route, whose sums run in another order
                Assert.Equal(a.Score, t.Score, 1e-4);
                Assert.Equal(a.Attention!.GetLength(0), t.Attention!.GetLength(0));
            }
        }
    }

    [Fact]
    public void Step_limits_per_sentence_are_checked()
    {
        var m = Endless();
        int[] src = [4, 5, 6, 7];
        var e1 = Assert.Throws<ArgumentException>(() => Greedy.Decode(m, src, 2, [2, 2], new GreedyOptions(5, SentenceSteps: [5])));
        Assert.Contains("2 sentences", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => BeamSearch.Decode(m, src, 2, [2, 2], new BeamOptions(2, 5, SentenceSteps: [3, 6])));
        Assert.Contains("SentenceSteps[1] is 6", e2.Message);
    }

    [Fact]
    public void With_a_length_penalty_the_n_best_list_is_sorted_by_the_penalised_score()
    {
        var m = Seq2Seq.Create(new ModelConfig
        {
            SourceVocab = 12, TargetVocab = 9, EmbeddingSize = 8, HiddenSize = 12, Attention = Attend.Attention.AttentionKind.LuongGeneral,
        }, 22);
        int[][] sources = [[4, 5, 6, 7], [8, 9], [10, 4, 11, 5, 6, 7, 8]];
        bool reordered = false;
        foreach (var alpha in new[] { 0.0, 1.0, 2.0 })
        {
            var results = Translator.Decode(m, sources, new SearchOptions(BeamSize: 5, Alpha: alpha, NBest: 5));
            foreach (var (hyps, i) in results.Select((h, i) => (h, i)))
            {
                for (int k = 1; k < hyps.Length; k++) Assert.True(hyps[k - 1].Score >= hyps[k].Score);
                foreach (var h in hyps)
                {
                    // Each sentence's own limit: a hypothesis it cut has no EOS to count.
                    int len = Math.Min(h.Tokens.Length + 1, new SearchOptions().MaxSteps(sources[i].Length));
                    Assert.Equal(h.LogProb / Math.Pow((5.0 + len) / 6.0, alpha), h.Score, 9);
                }
                // A longer hypothesis can overtake a shorter one with a higher raw log-probability.
                reordered |= hyps.Zip(hyps.Skip(1)).Any(p => p.First.LogProb < p.Second.LogProb);
            }
        }
        Assert.True(reordered, "the length penalty never changed the order of any n-best list");
    }
}
