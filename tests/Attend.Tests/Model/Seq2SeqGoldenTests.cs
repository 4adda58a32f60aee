using Attend.Attention;
using Attend.Decoding;
using Attend.Model;
using Attend.Tensors;
using Attend.Training;

namespace Attend.Tests.Model;

/// <summary>The PyTorch reference model of bench/pytorch/torch_peer.py against the seq2seq fixtures: forward, gradients, two Adam steps, decoding.</summary>
public class Seq2SeqGoldenTests
{
    public static TheoryData<string> Files => new() { "seq2seq_bahdanau", "seq2seq_luong_general" };

    internal static Seq2Seq Build(string file) => new(new ModelConfig
    {
        SourceVocab = 11, TargetVocab = 13, EmbeddingSize = 6, HiddenSize = 8,
        Attention = file.EndsWith("bahdanau") ? AttentionKind.Bahdanau : AttentionKind.LuongGeneral,
    });

    internal static Seq2SeqBatch Batch(GoldenFixture g) => new Seq2SeqBatch(3, 5, 6,
        g.I("input.src"), g.I("input.src_lengths"), g.I("input.tgt_in"), g.I("input.tgt_out")).Validate();

    [Theory]
    [MemberData(nameof(Files))]
    public void Forward_and_gradients_match_pytorch(string file)
    {
        var g = new GoldenFixture(file);
        var model = Build(file);
        g.LoadInto(model);
        var batch = Batch(g);

        var output = model.Forward(batch);
        g.AssertClose("output.logits", output.Logits.Data);
        g.AssertClose("output.attn_weights", output.Weights!.Data);
        g.AssertClose("output.loss", output.Loss.Data);
        output.Loss.Backward();
        g.AssertParamGrads(model);

        // The training path, which never projects padded positions, gives PyTorch's loss and gradients too.
        model.ZeroGrad();
        var loss = model.Loss(batch);
        g.AssertClose("output.loss", loss.Data);
        loss.Backward();
        g.AssertParamGrads(model);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Intermediate_states_match_pytorch_step_by_step(string file)
    {
        var g = new GoldenFixture(file);
        var model = Build(file);
        g.LoadInto(model);
        var batch = Batch(g);
        using var _ = GradMode.Off();
        var enc = model.Encoder.Forward(batch.Source, 3, batch.SourceLengths);
        g.AssertClose("output.enc_out", enc.Outputs.Data);
        g.AssertClose("output.enc_last", enc.Last.Data);
        var (ctx, state) = model.Decoder.Prepare(enc, batch.SourceLengths, DecoderPass.Inference);
        g.AssertClose("output.s0", state.Rnn.Top.Data);
        var emb = model.Decoder.EmbedTokens(batch.TargetIn, 3);
        var states = new List<Tensor>();
        var readouts = new List<Tensor>();
        for (int t = 0; t < 6; t++)
        {
            var step = model.Decoder.Step(Ops.Reshape(Ops.Slice(emb, 1, t, 1), 3, 6), state, ctx);
            state = step.State;
            states.Add(state.Rnn.Top);
            readouts.Add(step.Readout);
        }
        g.AssertClose("output.dec_states", Ops.Stack(states, 1).Data);
        if (g.File.Contains("output.attentional_hidden"))
            g.AssertClose("output.attentional_hidden", Ops.Stack(readouts, 1).Data);
        // The step-by-step logits equal the (fast-path for Luong) teacher-forced ones.
        g.AssertClose("output.logits", model.Decoder.Logits(Ops.Stack(readouts, 1)).Data);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Two_clipped_adam_steps_match_pytorch(string file)
    {
        var g = new GoldenFixture(file);
        var model = Build(file);
        g.LoadInto(model);
        var batch = Batch(g);
        var adam = new Adam(model.Parameters(), new AdamOptions(LearningRate: 0.01f));
        for (int step = 1; step <= 2; step++)
        {
            model.ZeroGrad();
            using var scope = TensorScope.Begin();
            var loss = model.Loss(batch); // the trainer's path: rows sorted by length, output layer and loss fused
            g.AssertClose($"output.train_loss_step{step}", loss.Data);
            loss.Backward();
            double norm = GradClip.ClipGradNorm(model.Parameters(), 0.25);
            g.AssertClose($"output.grad_norm_step{step}", [(float)norm]);
            adam.Step();
        }
        foreach (var (name, p) in model.NamedParameters())
            g.AssertClose("after_adam2.param." + name, p.Data);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Greedy_and_beam3_decoding_match_pytorch(string file)
    {
        var g = new GoldenFixture(file);
        var model = Build(file);
        g.LoadInto(model, "decode.param.");
        var batch = Batch(g);
        using (GradMode.Off()) g.AssertClose("output.decode_loss", model.Forward(batch).Loss.Data);

        var greedy = Greedy.Decode(model, batch.Source, 3, batch.SourceLengths, new GreedyOptions(MaxSteps: 8, StopAtEos: false));
        Assert.Equal(g.I("output.greedy_tokens"), greedy.Tokens.SelectMany(x => x).ToArray());
        g.AssertClose("output.greedy_logits", greedy.Logits!.Data);
        Assert.Equal([3, 8, 5], greedy.Weights!.Shape);

        var beam = BeamSearch.Decode(model, batch.Source, 3, batch.SourceLengths, new BeamOptions(BeamSize: 3, MaxSteps: 8, StopAtEos: false));
        Assert.Equal(g.I("output.beam3_tokens"), beam.Tokens.SelectMany(x => x).SelectMany(x => x).ToArray());
        g.AssertClose("output.beam3_logprob", beam.Scores.SelectMany(x => x).Select(x => (float)x).ToArray());
        // One [steps, S] attention map per hypothesis.
        Assert.Equal(5 * 8, beam.Weights![0][0].Length);
    }
}
