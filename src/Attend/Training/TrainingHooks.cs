// Fault injection and inspection for the tests of data-parallel training, driven by environment variables and
// inert unless one is set (as RunCheckpoints' ATTEND_SAVE_PAUSE_MS).
using Attend.Model;
using Attend.Tensors.IO;

namespace Attend.Training;

/// <summary>
/// <c>ATTEND_GRADIENT_DUMP=FILE</c>: rank 0 writes the first update's summed gradients (before clipping) to FILE as
/// safetensors, named as the parameters, so a test can compare 1 and N processes.
/// <c>ATTEND_FAIL_AT=RANK:STEP</c>: that rank throws when it starts update STEP, so a test sees how the job ends.
/// </summary>
internal static class TrainingHooks
{
    public static void DumpGradients(Seq2Seq model)
    {
        if (Environment.GetEnvironmentVariable("ATTEND_GRADIENT_DUMP") is not { Length: > 0 } path) return;
        SafeTensorsFile.Write(path, model.NamedParameters().Where(p => p.Param.HasGrad)
            .Select(p => SafeTensorsEntry.Float(p.Name, p.Param.Grad.ToArray(), p.Param.Length)));
    }

    public static void FailIfAsked(int rank, long step)
    {
        if (Environment.GetEnvironmentVariable("ATTEND_FAIL_AT") is not { Length: > 0 } spec) return;
        if (spec.Split(':') is [var r, var s] && int.TryParse(r, out int failRank) && long.TryParse(s, out long failStep)
            && failRank == rank && failStep == step)
            throw new InvalidOperationException($"injected failure at update {step} (ATTEND_FAIL_AT={spec})");
    }
}
