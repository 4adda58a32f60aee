using Attend.Attention;
using Attend.Model;
using Attend.Nn;
using Attend.Tensors;

namespace Attend.Tests.Model;

/// <summary>
/// Backward of the whole model against central differences of the loss, for every attention kind with
/// GRU and LSTM, and for the less common options (input feeding, extended readout, tied embeddings, two
/// layers, Last init, dropout with a replayed generator).
/// </summary>
public class FiniteDifferenceTests
{
    public static TheoryData<string> Cases()
    {
        var d = new TheoryData<string>();
        foreach (var k in TinyModels.AllKinds)
            foreach (var r in new[] { RnnKind.Gru, RnnKind.Lstm }) d.Add($"{k}/{r}");
        d.Add("feeding");
        d.Add("tied");
        d.Add("dropout");
        return d;
    }

    private static ModelConfig ConfigOf(string name) => name switch
    {
        "feeding" => TinyModels.Config(AttentionKind.LuongGeneral, RnnKind.Lstm) with
        {
            InputFeeding = true,
            Readout = Readout.StateContextEmbedding,
            EncoderLayers = 2,
            DecoderLayers = 2,
            Init = DecoderInit.Last,
        },
        "tied" => TinyModels.Config(AttentionKind.Bahdanau, emb: 6) with { TieEmbeddings = true, Init = DecoderInit.Zero },
        "dropout" => TinyModels.Config(AttentionKind.LuongConcat) with { Dropout = 0.3f, EncoderLayers = 2, Readout = Readout.StateContext },
        _ => TinyModels.Config(Enum.Parse<AttentionKind>(name.Split('/')[0]), Enum.Parse<RnnKind>(name.Split('/')[1])),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradients_match_central_differences(string name)
    {
        var config = ConfigOf(name);
        var model = TinyModels.Model(config, seed: 3);
        var batch = TinyModels.Batch(config, [4, 2, 3], [3, 4, 1], seed: 5);
        var rng = new Rng(99);
        float Loss()
        {
            var r = config.Dropout > 0 ? rng.Clone() : null;
            return model.Loss(batch, new ForwardOptions(r)).Item();
        }

        // The training path (rows sorted by target length, finished sentences no longer stepped, output layer
        // and loss fused); TrainingLossTests holds it equal to Forward + CrossEntropy without dropout.
        model.ZeroGrad();
        var loss = model.Loss(batch, new ForwardOptions(config.Dropout > 0 ? rng.Clone() : null));
        loss.Backward();

        var pick = new Rng(1);
        int checkedEntries = 0;
        foreach (var (pname, p) in model.NamedParameters())
        {
            if (!p.HasGrad) continue;
            // The entry with the largest gradient (a strong signal) and one random entry (anywhere).
            var g = p.Grad.ToArray();
            int big = 0;
            for (int i = 1; i < g.Length; i++) if (Math.Abs(g[i]) > Math.Abs(g[big])) big = i;
            foreach (int i in new[] { big, pick.NextInt(g.Length) })
            {
                float saved = p.Data[i];
                const float eps = 1e-2f;
                double up, down;
                using (GradMode.Off())
                {
                    p.Data[i] = saved + eps; up = Loss();
                    p.Data[i] = saved - eps; down = Loss();
                }
                p.Data[i] = saved;
                double fd = (up - down) / (2 * eps);
                Assert.True(Math.Abs(fd - g[i]) <= 2e-2 * Math.Abs(g[i]) + 3e-4,
                    $"{name}: d loss / d {pname}[{i}] backward {g[i]:G6}, central difference {fd:G6}");
                checkedEntries++;
            }
        }
        Assert.True(checkedEntries >= 10, $"only {checkedEntries} entries checked");
    }
}
