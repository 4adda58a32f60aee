using Attend.Tensors.Kernels;
using static Attend.Tensors.Tests.Cells.CellTestKit;

namespace Attend.Tensors.Tests.Cells;

/// <summary>
/// The gate kernels alone at every hidden size 0..257, so each SIMD width's body and every tail length
/// run, against scalar float64 gate math (whose derivatives the finite-difference tests pin down).
/// </summary>
public class CellKernelTests
{
    private const int B = 2;

    public static TheoryData<int> Sizes()
    {
        var d = new TheoryData<int>();
        for (int h = 0; h <= 257; h++) d.Add(h);
        return d;
    }

    private static double Sig(double v) => 1 / (1 + Math.Exp(-v));

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Gru_kernel_matches_scalar_double_gate_math(int hidden)
    {
        var rng = new Random(hidden);
        int h3 = 3 * hidden;
        float[] gx = Uniform(rng, B * h3, 2), gh = Uniform(rng, B * h3, 2), h = Uniform(rng, B * hidden, 1), dy = Uniform(rng, B * hidden, 1);
        int h4 = 4 * hidden;
        float[] saved = new float[B * h4], y = new float[B * hidden], dgx = new float[B * h3], dgh = new float[B * h3];
        float[] dh = Uniform(rng, B * hidden, 1);
        var dh0 = (float[])dh.Clone();
        GruCellKernel.Forward(gx, gh, h, saved, y, B, hidden);
        GruCellKernel.Backward(dy, saved, h, dgx, dgh, dh, B, hidden);

        double[] eSaved = new double[B * h4], eY = new double[B * hidden], eDgx = new double[B * h3], eDgh = new double[B * h3], eDh = new double[B * hidden];
        for (int b = 0; b < B; b++)
            for (int j = 0; j < hidden; j++)
            {
                int g = b * h3 + j, s = b * hidden + j;
                double r = Sig((double)gx[g] + gh[g]), z = Sig((double)gx[g + hidden] + gh[g + hidden]);
                double n = Math.Tanh(gx[g + 2 * hidden] + r * gh[g + 2 * hidden]);
                int k = b * h4 + j;
                (eSaved[k], eSaved[k + hidden], eSaved[k + 2 * hidden], eSaved[k + 3 * hidden]) = (r, z, n, gh[g + 2 * hidden]);
                eY[s] = (1 - z) * n + z * h[s];
                double dan = dy[s] * (1 - z) * (1 - n * n), daz = dy[s] * (h[s] - n) * z * (1 - z), dar = dan * gh[g + 2 * hidden] * r * (1 - r);
                (eDgx[g], eDgx[g + hidden], eDgx[g + 2 * hidden]) = (dar, daz, dan);
                (eDgh[g], eDgh[g + hidden], eDgh[g + 2 * hidden]) = (dar, daz, dan * r);
                eDh[s] = dh0[s] + dy[s] * z;
            }
        Golden.AssertClose("saved r, z, n, gh_n", eSaved, saved, 1e-6, 1e-7);
        Golden.AssertClose("h'", eY, y, 1e-6, 1e-7);
        Golden.AssertClose("dgx", eDgx, dgx, 1e-6, 1e-7);
        Golden.AssertClose("dgh", eDgh, dgh, 1e-6, 1e-7);
        Golden.AssertClose("dh", eDh, dh, 1e-6, 1e-7);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Lstm_kernel_matches_scalar_double_gate_math(int hidden)
    {
        var rng = new Random(1000 + hidden);
        int h4 = 4 * hidden;
        float[] pre = Uniform(rng, B * h4, 2), c = Uniform(rng, B * hidden, 1.5);
        float[] dhn = Uniform(rng, B * hidden, 1), dcn = Uniform(rng, B * hidden, 1), dc = Uniform(rng, B * hidden, 1);
        var dc0 = (float[])dc.Clone();
        var gates = (float[])pre.Clone();
        float[] cn = new float[B * hidden], tc = new float[B * hidden], hn = new float[B * hidden], da = new float[B * h4];
        LstmCellKernel.Forward(gates, c, cn, tc, hn, B, hidden);
        LstmCellKernel.Backward(dhn, dcn, gates, c, cn, da, dc, B, hidden);

        double[] eGates = new double[B * h4], eC = new double[B * hidden], eH = new double[B * hidden], eDa = new double[B * h4], eDc = new double[B * hidden];
        for (int b = 0; b < B; b++)
            for (int j = 0; j < hidden; j++)
            {
                int g = b * h4 + j, s = b * hidden + j;
                double i = Sig(pre[g]), f = Sig(pre[g + hidden]), gg = Math.Tanh(pre[g + 2 * hidden]), o = Sig(pre[g + 3 * hidden]);
                (eGates[g], eGates[g + hidden], eGates[g + 2 * hidden], eGates[g + 3 * hidden]) = (i, f, gg, o);
                eC[s] = f * c[s] + i * gg;
                double t = Math.Tanh(eC[s]);
                eH[s] = o * t;
                double dct = dcn[s] + dhn[s] * o * (1 - t * t);
                eDa[g] = dct * gg * i * (1 - i);
                eDa[g + hidden] = dct * c[s] * f * (1 - f);
                eDa[g + 2 * hidden] = dct * i * (1 - gg * gg);
                eDa[g + 3 * hidden] = dhn[s] * t * o * (1 - o);
                eDc[s] = dc0[s] + dct * f;
            }
        Golden.AssertClose("gates", eGates, gates, 1e-6, 1e-7);
        Golden.AssertClose("c'", eC, cn, 1e-6, 1e-7);
        Golden.AssertClose("h'", eH, hn, 1e-6, 1e-7);
        Golden.AssertClose("da", eDa, da, 1e-6, 1e-7);
        Golden.AssertClose("dc", eDc, dc, 1e-6, 1e-7);
    }
}
