using Attend.Attention;
using Attend.Tensors;
using Attend.Tests.Model;
using Attend.Tests.Training;

namespace Attend.Tests.Attention;

/// <summary>
/// The fused attention ops at sizes where forward and backward split their sentences over the workers:
/// equal to the composed reference, rows sharing a sentence included, and the same bits with 1 and 2 threads.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class AttentionThreadsTests
{
    private static float[][] Run(int threads, Func<Tensor[], Tensor> op, int[][] shapes)
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = threads;
            var rng = new Rng(9);
            var xs = shapes.Select(s =>
            {
                var t = Tensor.Parameter("x", s);
                rng.FillNormal(t.Data, 0f, 1f);
                return t;
            }).ToArray();
            var y = op(xs);
            var seed = Tensor.Parameter("seed", y.Shape);
            rng.FillNormal(seed.Data, 0f, 1f);
            y.Backward(seed);
            return [y.Data.ToArray(), .. xs.Select(x => x.Grad.ToArray())];
        }
        finally { Parallelism.MaxThreads = saved; }
    }

    public static TheoryData<string> Kinds() => new(["dot", "weighted-sum", "additive", "dot-shared", "weighted-sum-shared", "additive-shared"]);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Split_over_threads_they_match_the_reference_and_one_thread_bit_for_bit(string name)
    {
        // 24 query rows (chunks of 8 sentences), T = 3, S = 10, D = 96: 69K elements, enough to split.
        int[] q = [24, 3, 96], w = [24, 3, 10], mem = [24, 10, 96], v = [1, 96];
        // Two query rows per sentence (beams): 12 sentences, D = 320.
        int[] q2 = [24, 320], w2 = [24, 10], mem2 = [12, 10, 320], v2 = [1, 320];
        (Func<Tensor[], Tensor> fused, Func<Tensor[], Tensor> composed, int[][] shapes) = name switch
        {
            "dot" => ((Func<Tensor[], Tensor>)(x => AttentionOps.Dot(x[0], x[1])), (Func<Tensor[], Tensor>)(x => AttentionMath.Dot(x[0], x[1])), new[] { q, mem }),
            "weighted-sum" => (x => AttentionOps.WeightedSum(x[0], x[1]), x => AttentionMath.Context(x[0], x[1]), new[] { w, mem }),
            "additive" => (x => AttentionOps.Additive(x[0], x[1], x[2]), x => AttentionMath.Additive(x[0], x[1], x[2]), new[] { q, mem, v }),
            "dot-shared" => (x => AttentionOps.Dot(x[0], x[1], share: 2), x => AttentionMath.Dot(x[0], Repeat(x[1])), new[] { q2, mem2 }),
            "weighted-sum-shared" => (x => AttentionOps.WeightedSum(x[0], x[1], share: 2), x => AttentionMath.Context(x[0], Repeat(x[1])), new[] { w2, mem2 }),
            _ => (x => AttentionOps.Additive(x[0], x[1], x[2], share: 2), x => AttentionMath.Additive(x[0], Repeat(x[1]), x[2]), new[] { q2, mem2, v2 }),
        };
        var one = Run(1, fused, shapes);
        var two = Run(2, fused, shapes);
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
        var reference = Run(1, composed, shapes);
        for (int i = 0; i < one.Length; i++) GoldenFixture.AssertClose($"{name} output/grad {i}", reference[i], two[i], 1e-4);
    }

    /// <summary>Each sentence of memory [B, S, D] twice in a row: [2B, S, D] (the copy the shared ops avoid).</summary>
    private static Tensor Repeat(Tensor m)
    {
        int b = m.Shape[0];
        var rows = Enumerable.Range(0, 2 * b).Select(i => i / 2).ToArray();
        return Ops.Reshape(Ops.IndexSelect(Ops.Reshape(m, b, -1), rows), 2 * b, m.Shape[1], m.Shape[2]);
    }
}
