using Attend.Tensors.IO;
using Attend.Tensors.Kernels;
using static Attend.Tensors.Tests.Cells.CellTestKit;

namespace Attend.Tensors.Tests.Cells;

/// <summary>The fused cells unrolled over the PyTorch fixtures: every output and every gradient.</summary>
public class CellGoldenTests
{
    private const int B = 3, T = 4, In = 5, H = 7;

    private static Tensor Param(SafeTensorsFile f, string name)
    {
        var t = f.GetTensor("param." + name);
        t.RequiresGrad = true;
        return t;
    }

    private static float[] F(SafeTensorsFile f, string name) => f.GetFloat(name).Data;

    [Fact]
    public void Gru_cell_unrolled_matches_pytorch_forward_and_every_gradient()
    {
        var f = Golden.Load("gru_cell.safetensors");
        Tensor wih = Param(f, "weight_ih"), whh = Param(f, "weight_hh"), bih = Param(f, "bias_ih"), bhh = Param(f, "bias_hh");
        var x = F(f, "input.x");
        var h0 = Leaf(F(f, "input.h0"), B, H);
        var gOut = F(f, "grad_output.h_seq");

        var xs = new Tensor[T];
        var terms = new (Tensor, float[])[T];
        var hSeq = new float[B * T * H];
        var h = h0;
        for (int t = 0; t < T; t++)
        {
            xs[t] = Leaf(TimeSlice(x, B, T, In, t), B, In);
            h = Ops.GruCell(Ops.Linear(xs[t], wih, bih), h, whh, bhh);
            SetTimeSlice(hSeq, h.Data, B, T, H, t);
            terms[t] = (h, TimeSlice(gOut, B, T, H, t));
        }
        var loss = DotLoss(terms);
        loss.Backward();

        Golden.AssertClose("output.h_seq", F(f, "output.h_seq"), hSeq);
        Golden.AssertClose("output.loss", F(f, "output.loss"), [loss.Item()]);
        Golden.AssertClose("grad.param.weight_ih", F(f, "grad.param.weight_ih"), wih.Grad);
        Golden.AssertClose("grad.param.weight_hh", F(f, "grad.param.weight_hh"), whh.Grad);
        Golden.AssertClose("grad.param.bias_ih", F(f, "grad.param.bias_ih"), bih.Grad);
        Golden.AssertClose("grad.param.bias_hh", F(f, "grad.param.bias_hh"), bhh.Grad);
        Golden.AssertClose("grad.input.x", F(f, "grad.input.x"), AssembleInputGrad(xs));
        Golden.AssertClose("grad.input.h0", F(f, "grad.input.h0"), h0.Grad);
    }

    [Fact]
    public void Gru_kernel_step0_gates_match_pytorch_in_r_z_n_order()
    {
        var f = Golden.Load("gru_cell.safetensors");
        using var _ = GradMode.Off();
        var x0 = Tensor.FromArray(TimeSlice(F(f, "input.x"), B, T, In, 0), B, In);
        var h0 = f.GetTensor("input.h0");
        var gx = Ops.Linear(x0, f.GetTensor("param.weight_ih"), f.GetTensor("param.bias_ih"));
        var gh = Ops.Linear(h0, f.GetTensor("param.weight_hh"), f.GetTensor("param.bias_hh"));
        var saved = new float[B * 4 * H]; // r, z, n, gh_n
        var h1 = new float[B * H];
        GruCellKernel.Forward(gx.Data, gh.Data, h0.Data, saved, h1, B, H);
        string[] names = ["r", "z", "n"];
        for (int k = 0; k < 3; k++)
            Golden.AssertClose("output.step0_" + names[k], F(f, "output.step0_" + names[k]), Block(saved, k, 4));
        Golden.AssertClose("h_seq[:, 0]", TimeSlice(F(f, "output.h_seq"), B, T, H, 0), h1);
    }

    [Fact]
    public void Lstm_unrolled_matches_pytorch_forward_and_every_gradient()
    {
        var f = Golden.Load("lstm.safetensors");
        Tensor wih = Param(f, "weight_ih_l0"), whh = Param(f, "weight_hh_l0"), bih = Param(f, "bias_ih_l0"), bhh = Param(f, "bias_hh_l0");
        var x = F(f, "input.x");
        var h0 = Leaf(F(f, "input.h0"), B, H); // stored [1, B, H]: layers × directions first
        var c0 = Leaf(F(f, "input.c0"), B, H);
        var gOut = F(f, "grad_output.output");

        var xs = new Tensor[T];
        var terms = new List<(Tensor, float[])>();
        var output = new float[B * T * H];
        Tensor h = h0, c = c0;
        for (int t = 0; t < T; t++)
        {
            xs[t] = Leaf(TimeSlice(x, B, T, In, t), B, In);
            (h, c) = Ops.LstmCell(Ops.Linear(xs[t], wih, bih), h, c, whh, bhh);
            SetTimeSlice(output, h.Data, B, T, H, t);
            terms.Add((h, TimeSlice(gOut, B, T, H, t)));
        }
        // h_n is output[:, -1]: the same tensor gets a second upstream gradient.
        terms.Add((h, F(f, "grad_output.h_n")));
        terms.Add((c, F(f, "grad_output.c_n")));
        var loss = DotLoss([.. terms]);
        loss.Backward();

        Golden.AssertClose("output.output", F(f, "output.output"), output);
        Golden.AssertClose("output.h_n", F(f, "output.h_n"), h.Data);
        Golden.AssertClose("output.c_n", F(f, "output.c_n"), c.Data);
        Golden.AssertClose("output.loss", F(f, "output.loss"), [loss.Item()]);
        Golden.AssertClose("grad.param.weight_ih_l0", F(f, "grad.param.weight_ih_l0"), wih.Grad);
        Golden.AssertClose("grad.param.weight_hh_l0", F(f, "grad.param.weight_hh_l0"), whh.Grad);
        Golden.AssertClose("grad.param.bias_ih_l0", F(f, "grad.param.bias_ih_l0"), bih.Grad);
        Golden.AssertClose("grad.param.bias_hh_l0", F(f, "grad.param.bias_hh_l0"), bhh.Grad);
        Golden.AssertClose("grad.input.x", F(f, "grad.input.x"), AssembleInputGrad(xs));
        Golden.AssertClose("grad.input.h0", F(f, "grad.input.h0"), h0.Grad);
        Golden.AssertClose("grad.input.c0", F(f, "grad.input.c0"), c0.Grad);
    }

    [Fact]
    public void Lstm_kernel_step0_gates_match_pytorch_in_i_f_g_o_order()
    {
        var f = Golden.Load("lstm.safetensors");
        using var _ = GradMode.Off();
        var x0 = Tensor.FromArray(TimeSlice(F(f, "input.x"), B, T, In, 0), B, In);
        var h0 = Tensor.FromArray(F(f, "input.h0"), B, H);
        var gx = Ops.Linear(x0, f.GetTensor("param.weight_ih_l0"), f.GetTensor("param.bias_ih_l0"));
        var gh = Ops.Linear(h0, f.GetTensor("param.weight_hh_l0"), f.GetTensor("param.bias_hh_l0"));
        var gates = Ops.Add(gx, gh).ToArray();
        float[] c1 = new float[B * H], tanhC = new float[B * H], h1 = new float[B * H];
        LstmCellKernel.Forward(gates, F(f, "input.c0"), c1, tanhC, h1, B, H);
        string[] names = ["i", "f", "g", "o"];
        for (int k = 0; k < 4; k++)
            Golden.AssertClose("output.step0_" + names[k], F(f, "output.step0_" + names[k]), Block(gates, k, 4));
        Golden.AssertClose("output.step0_c", F(f, "output.step0_c"), c1);
    }

    /// <summary>Gate block k of a [B, G·H] array, as [B, H].</summary>
    private static float[] Block(float[] gates, int k, int count)
    {
        var s = new float[B * H];
        for (int b = 0; b < B; b++)
            Array.Copy(gates, b * count * H + k * H, s, b * H, H);
        return s;
    }

    /// <summary>dL/dx [B, T, In] from the per-step leaves.</summary>
    private static float[] AssembleInputGrad(Tensor[] xs)
    {
        var dx = new float[B * T * In];
        for (int t = 0; t < T; t++) SetTimeSlice(dx, xs[t].Grad, B, T, In, t);
        return dx;
    }
}
