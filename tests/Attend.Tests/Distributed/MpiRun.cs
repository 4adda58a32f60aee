using System.Diagnostics;
using System.Text;

namespace Attend.Tests.Distributed;

/// <summary>
/// `mpirun --oversubscribe --allow-run-as-root -np N dotnet Attend.Cli.dll ARGS` (Open MPI, as root in CI, more ranks
/// than cores): the real `attend` as N ranks of one job, with environment variables passed to every rank.
/// </summary>
internal sealed class MpiRun : IDisposable
{
    public const string Mpirun = "mpirun";
    private readonly Process _p;
    private readonly StringBuilder _out = new(), _err = new();

    public MpiRun(int ranks, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(Mpirun)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--oversubscribe", "--allow-run-as-root", "--bind-to", "none", "-np", ranks.ToString() }) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
            psi.ArgumentList.Add("-x");
            psi.ArgumentList.Add(k);
        }
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Attend.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        _p = Process.Start(psi) ?? throw new InvalidOperationException("mpirun did not start");
        _p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_out) _out.Append(e.Data).Append('\n'); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_err) _err.Append(e.Data).Append('\n'); };
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    public MpiRun(int ranks, params string[] args) : this(ranks, new Dictionary<string, string>(), args) { }

    public bool HasExited => _p.HasExited;
    public string Stdout { get { lock (_out) return _out.ToString(); } }
    public string Stderr { get { lock (_err) return _err.ToString(); } }

    /// <summary>Writes <paramref name="text"/> to rank 0's stdin (mpirun forwards its own) and closes it.</summary>
    public void Input(string text)
    {
        _p.StandardInput.Write(text);
        _p.StandardInput.Close();
    }

    public int Wait(TimeSpan timeout)
    {
        _p.StandardInput.Close();
        if (!_p.WaitForExit(timeout))
        {
            _p.Kill(true);
            throw new TimeoutException($"mpirun did not exit within {timeout}; stderr: {Stderr}");
        }
        _p.WaitForExit();
        return _p.ExitCode;
    }

    /// <summary>Runs to the end (within <paramref name="timeout"/>) and fails the test, showing stderr, unless it exits with 0.</summary>
    public void Succeed(TimeSpan timeout)
    {
        int code = Wait(timeout);
        Assert.True(code == 0, $"mpirun exited with {code}; stderr:\n{Stderr}");
    }

    /// <summary>The process id of the rank whose command line contains <paramref name="marker"/>, or null while it has not started.</summary>
    public static int? RankPid(int rank, string marker)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(marker, StringComparison.Ordinal)) continue;
                var env = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (env.Contains($"OMPI_COMM_WORLD_RANK={rank}")) return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return null;
    }

    public void Dispose()
    {
        if (!_p.HasExited) _p.Kill(true);
        _p.Dispose();
    }
}
