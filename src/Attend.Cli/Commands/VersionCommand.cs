using System.CommandLine;
using System.Reflection;

namespace Attend.Cli.Commands;

/// <summary>`attend version`: the tool's version and the runtime's SIMD capabilities.</summary>
internal static class VersionCommand
{
    public static Command Build()
    {
        var cmd = new Command("version", "Print the version of attend and the SIMD widths this CPU offers.");
        cmd.SetAction(_ =>
        {
            var v = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
            Console.WriteLine($"attend {v}");
            Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, " +
                              $"Vector512 {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "on" : "off")}, " +
                              $"Vector256 {(System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "on" : "off")}");
            return 0;
        });
        return cmd;
    }
}
