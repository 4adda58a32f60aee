// Pathological config files are errors naming the file (and line), not stack overflows or unbounded reads.
using Attend.Config;
using Attend.Tensors.IO;

namespace Attend.Tests.Training;

public class ConfigLimitsTests
{
    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_with_the_line()
    {
        var flow = "name: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        Assert.Equal("deep.yaml:1: nested deeper than 32 levels (a config has 2)",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load(flow, "deep.yaml")).Message);
        var block = string.Concat(Enumerable.Range(0, 40).Select(i => new string(' ', i) + $"k{i}:\n"));
        Assert.StartsWith("deep.yaml:33: nested deeper than 32 levels",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load(block, "deep.yaml")).Message);
        // Nesting within the limit reaches the binder, which names the unknown key as before.
        Assert.Contains("unknown key 'k0'", Assert.Throws<ConfigException>(() => ConfigLoader.Load("k0:\n  k1: 1\n", "ok.yaml")).Message);
    }

    [Fact]
    public void A_config_file_larger_than_the_limit_and_special_files_are_refused()
    {
        var dir = RepoPaths.TempDir("cfg-limits");
        try
        {
            var big = Path.Combine(dir, "big.yaml");
            File.WriteAllText(big, "# " + new string('x', ConfigLoader.MaxBytes) + "\n");
            Assert.Equal($"{big}: larger than {ConfigLoader.MaxBytes} bytes, the limit for a config file",
                Assert.Throws<FileRefusedException>(() => ConfigLoader.LoadFile(big)).Message);
            Assert.Throws<FileRefusedException>(() => ConfigLoader.LoadFile("/dev/zero"));
            Assert.Contains("is a directory", Assert.Throws<FileRefusedException>(() => ConfigLoader.LoadFile(dir)).Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
