using Attend.Attention;
using Attend.Tensors;
using Attend.Tests.Model;

namespace Attend.Tests.Attention;

/// <summary>The fused attention products against their composed (MatMul / gather + Tanh + Linear) forms: values and every gradient.</summary>
public class AttentionOpsTests
{
    private static Tensor Rand(Rng rng, params int[] shape)
    {
        var t = Tensor.Parameter("x", shape);
        rng.FillNormal(t.Data, 0f, 1f);
        return t;
    }

    private static void Compare(Func<Tensor[], Tensor> fused, Func<Tensor[], Tensor> composed, params int[][] shapes)
    {
        var rng = new Rng(5);
        var a = shapes.Select(s => Rand(rng, s)).ToArray();
        var b = a.Select(t => { var c = Tensor.Parameter("y", t.Shape); t.Data.CopyTo(c.Data); return c; }).ToArray();
        var ya = fused(a);
        var yb = composed(b);
        GoldenFixture.AssertClose("value", yb.Data, ya.Data, 1e-5);
        var seed = Rand(rng, ya.Shape);
        ya.Backward(seed);
        yb.Backward(seed);
        for (int i = 0; i < a.Length; i++) GoldenFixture.AssertClose($"grad {i}", b[i].Grad, a[i].Grad, 1e-5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fused_products_match_their_composed_reference(bool perStep)
    {
        int[] q = perStep ? [3, 7] : [3, 4, 7];
        int[] w = perStep ? [3, 5] : [3, 4, 5];
        Compare(x => AttentionOps.Dot(x[0], x[1]), x => AttentionMath.Dot(x[0], x[1]), q, [3, 5, 7]);
        Compare(x => AttentionOps.WeightedSum(x[0], x[1]), x => AttentionMath.Context(x[0], x[1]), w, [3, 5, 6]);
        Compare(x => AttentionOps.Additive(x[0], x[1], x[2]), x => AttentionMath.Additive(x[0], x[1], x[2]), q, [3, 5, 7], [1, 7]);
    }

    [Fact]
    public void Queries_of_the_first_sentences_read_and_train_only_their_rows_of_a_larger_memory()
    {
        // Two queries against a memory of four sentences = the same ops on the memory's first two sentences.
        Compare(x => AttentionOps.Dot(x[0], x[1]), x => AttentionOps.Dot(x[0], Ops.Slice(x[1], 0, 0, 2)), [2, 7], [4, 5, 7]);
        Compare(x => AttentionOps.WeightedSum(x[0], x[1]), x => AttentionOps.WeightedSum(x[0], Ops.Slice(x[1], 0, 0, 2)), [2, 5], [4, 5, 6]);
        Compare(x => AttentionOps.Additive(x[0], x[1], x[2]), x => AttentionOps.Additive(x[0], Ops.Slice(x[1], 0, 0, 2), x[2]), [2, 7], [4, 5, 7], [1, 7]);
        var keys = Rand(new Rng(1), 4, 5, 7);
        var y = AttentionOps.Dot(Rand(new Rng(2), 2, 7), keys);
        y.Backward(Tensor.Full(1f, y.Shape));
        Assert.All(keys.Grad[(2 * 5 * 7)..].ToArray(), g => Assert.Equal(0f, g));
        Assert.Throws<ArgumentException>(() => AttentionOps.Dot(Tensor.Zeros(5, 7), keys));
    }

    [Theory]
    [InlineData(AttentionKind.Bahdanau)]
    [InlineData(AttentionKind.LuongDot)]
    [InlineData(AttentionKind.LuongGeneral)]
    [InlineData(AttentionKind.LuongConcat)]
    public void Attention_that_skips_padded_positions_gives_the_same_bits_as_scoring_all(AttentionKind kind)
    {
        IAttention Build()
        {
            // Luong dot needs the memory to have the query's size.
            var a = (IAttention)AttentionFactory.Create(kind, 6, 6, 5)!;
            ((Attend.Nn.Module)a).Initialize(new Rng(3));
            return a;
        }
        var mask = Tensor.FromArray([1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1], 3, 5);
        // One query per sentence (a decoder step) and two (a whole Luong target), the second of which
        // gets no gradient (a padded target position).
        foreach (int[] q in new[] { new[] { 3, 6 }, new[] { 3, 2, 6 } })
        {
            (float[] C, float[] W, float[] Dq, float[] Dm) Run(bool skipping)
            {
                var rng = new Rng(9);
                var attention = Build();
                var query = Rand(rng, q);
                var memory = Rand(rng, 3, 5, 6);
                var prepared = attention.Prepare(memory, mask, [3, 1, 5]);
                var (c, w) = skipping ? attention.Attend(query, prepared) : AttentionOps.Weigh(attention.Score(query, prepared), prepared);
                var gc = Rand(rng, c.Shape);
                var gw = Rand(rng, w.Shape);
                if (q.Length == 3)
                    for (int b = 0; b < 3; b++) { gc.Data.Slice((b * 2 + 1) * 6, 6).Clear(); gw.Data.Slice((b * 2 + 1) * 5, 5).Clear(); }
                Ops.Add(Ops.Sum(Ops.Mul(c, gc)), Ops.Sum(Ops.Mul(w, gw))).Backward();
                return (c.ToArray(), w.ToArray(), query.Grad.ToArray(), memory.Grad.ToArray());
            }
            var skip = Run(true);
            var all = Run(false);
            Assert.Equal(all.C, skip.C);
            Assert.Equal(all.W, skip.W);
            Assert.Equal(all.Dq, skip.Dq);
            Assert.Equal(all.Dm, skip.Dm);
        }
    }

    [Fact]
    public void With_a_mask_the_score_ops_leave_masked_positions_at_zero_and_score_the_rest_as_without()
    {
        var rng = new Rng(12);
        var mask = Tensor.FromArray([1, 0, 1, 1, 0, 0, 1, 1, 1, 0], 2, 5);
        var q = Rand(rng, 2, 7);
        var k = Rand(rng, 2, 5, 7);
        var v = Rand(rng, 1, 7);
        foreach (var (masked, plain) in new[]
        {
            (AttentionOps.Dot(q, k, mask: mask), AttentionOps.Dot(q, k)),
            (AttentionOps.Additive(q, k, v, mask: mask), AttentionOps.Additive(q, k, v)),
        })
            for (int i = 0; i < 10; i++)
                Assert.Equal(mask.Data[i] == 0f ? 0f : plain.Data[i], masked.Data[i]);
        Assert.Throws<ArgumentException>(() => AttentionOps.Dot(q, k, mask: Tensor.Zeros(1, 5)));
    }

    [Fact]
    public void Rows_sharing_a_sentence_read_it_in_place_as_if_it_were_copied_for_each()
    {
        // Six query rows, three per sentence of a two-sentence memory = the same ops on the memory repeated.
        int[] repeat = [0, 0, 0, 1, 1, 1];
        Tensor Copied(Tensor m) => Ops.Reshape(Ops.IndexSelect(Ops.Reshape(m, 2, -1), repeat), 6, m.Shape[1], m.Shape[2]);
        Compare(x => AttentionOps.Dot(x[0], x[1], share: 3), x => AttentionOps.Dot(x[0], Copied(x[1])), [6, 7], [2, 5, 7]);
        Compare(x => AttentionOps.WeightedSum(x[0], x[1], share: 3), x => AttentionOps.WeightedSum(x[0], Copied(x[1])), [6, 5], [2, 5, 6]);
        Compare(x => AttentionOps.Additive(x[0], x[1], x[2], share: 3), x => AttentionOps.Additive(x[0], Copied(x[1]), x[2]), [6, 7], [2, 5, 7], [1, 7]);
        Assert.Throws<ArgumentException>(() => AttentionOps.Dot(Tensor.Zeros(7, 7), Tensor.Zeros(2, 5, 7), share: 3));
    }
}
