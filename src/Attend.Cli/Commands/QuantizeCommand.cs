using System.CommandLine;
using System.Globalization;
using Attend.Model;
using Attend.Runs;
using Attend.Tensors;

namespace Attend.Cli.Commands;

/// <summary>`attend quantize --model RUN --out DIR [--precision int8|bf16]`: a checkpoint folder with int8 or bf16 weights.</summary>
internal static class QuantizeCommand
{
    public static Command Build()
    {
        var cmd = new Command("quantize",
            "Write a copy of a checkpoint with int8 (or bf16) weights: a quarter (or half) of the size, loadable by translate, serve and the library.");
        var model = new Option<string>("--model") { Description = "Run directory (uses its best/ checkpoint) or an fp32 checkpoint folder", Required = true };
        var output = new Option<string>("--out") { Description = "The new checkpoint folder (must not exist)", Required = true };
        var precision = PrecisionOption.Create("int8 (one scale per row, the default) or bf16", "int8|bf16");
        foreach (var o in new Option[] { model, output, precision }) cmd.Options.Add(o);
        cmd.SetAction(pr => CommandGuard.Run(pr, "quantize", (stdout, _) =>
        {
            var p = pr.GetValue(precision) ?? Precision.Int8;
            if (p == Precision.Fp32) throw new Config.ConfigException("--precision: quantize writes int8 or bf16, got fp32");
            var (source, fp32Bytes, bytes) = QuantizedCheckpoint.Write(pr.GetValue(model)!, pr.GetValue(output)!, p);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ModelPrecision.Name(p)} checkpoint {pr.GetValue(output)} from {source}: model.safetensors {bytes:N0} bytes, "
                + $"{(double)bytes / fp32Bytes:P1} of fp32 ({fp32Bytes:N0})"));
            return 0;
        }));
        return cmd;
    }
}
