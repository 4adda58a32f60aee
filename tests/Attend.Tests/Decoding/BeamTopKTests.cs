using Attend.Decoding;
using Attend.Tensors;

namespace Attend.Tests.Decoding;

/// <summary>
/// Beam search's one-pass top-K (with its vectorised skip of words that cannot win) against a full sort of
/// all K·V extensions, on rows full of ties, finished hypotheses and −∞ scores.
/// </summary>
public class BeamTopKTests
{
    [Fact]
    public void Top_k_equals_a_full_sort_of_the_extensions()
    {
        var rng = new Rng(17);
        int cases = 0;
        foreach (int k in new[] { 1, 3, 5 })
            foreach (int v in new[] { 5, 37, 300, 1000 })
                for (int trial = 0; trial < 40; trial++)
                {
                    int batch = 2, eos = 2;
                    var logp = new float[batch * k * v];
                    // Coarse values: many exact ties, within and across rows.
                    for (int i = 0; i < logp.Length; i++) logp[i] = trial % 2 == 0 ? -rng.NextInt(6) : -(float)(rng.NextDouble() * 30);
                    if (trial % 5 == 0) for (int i = 0; i < v / 2; i++) logp[i] = float.NegativeInfinity;
                    var scores = new double[batch * k];
                    var finished = new bool[batch * k];
                    for (int r = 0; r < scores.Length; r++)
                    {
                        scores[r] = rng.NextInt(4) == 0 ? double.NegativeInfinity : trial % 3 == 0 ? -rng.NextInt(3) : -rng.NextDouble() * 10;
                        finished[r] = rng.NextInt(4) == 0;
                    }
                    for (int b = 0; b < batch; b++)
                    {
                        var expected = FullSort(logp, scores, finished, b, k, v, eos);
                        var bestScore = new double[k];
                        var bestIndex = new int[k];
                        int filled = BeamSearch.SelectTopK(logp, scores, finished, b, k, v, eos, bestScore, bestIndex);
                        Assert.Equal(expected.Count, filled);
                        for (int j = 0; j < filled; j++)
                        {
                            Assert.Equal(expected[j].Index, bestIndex[j]);
                            Assert.Equal(expected[j].Score, bestScore[j]);
                        }
                        cases++;
                    }
                }
        Assert.Equal(3 * 4 * 40 * 2, cases);
    }

    private static List<(double Score, int Index)> FullSort(float[] logp, double[] scores, bool[] finished, int b, int k, int v, int eos)
    {
        var all = new List<(double Score, int Index)>();
        for (int kk = 0; kk < k; kk++)
            for (int w = 0; w < v; w++)
            {
                int row = b * k + kk;
                double sc = scores[row] + (finished[row] ? (w == eos ? 0 : double.NegativeInfinity) : logp[row * v + w]);
                if (!double.IsNegativeInfinity(sc)) all.Add((sc, kk * v + w));
            }
        return all.OrderByDescending(x => x.Score).ThenBy(x => x.Index).Take(k).ToList();
    }

    [Fact]
    public void The_skip_threshold_never_drops_a_word_that_could_win()
    {
        var rng = new Rng(3);
        for (int i = 0; i < 100_000; i++)
        {
            double kth = -rng.NextDouble() * Math.Pow(10, rng.NextInt(4)), score = -rng.NextDouble() * Math.Pow(10, rng.NextInt(4));
            float t = BeamSearch.Threshold(kth, score);
            // The largest float below t: its extension must not beat the K-th best.
            float below = MathF.BitDecrement(t);
            Assert.False(score + below > kth, $"kth {kth:R}, score {score:R}: {below:R} below the threshold {t:R} would win");
        }
    }
}
