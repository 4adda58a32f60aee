using Attend.Decoding;
using Attend.Model;
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
        foreach (var hyp in h.SelectMany(x => x))
        {
            int len = hyp.Tokens.Length + 1;
            if (len > new SearchOptions(MaxOutputRatio: 1.5).MaxSteps(7)) continue;
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
