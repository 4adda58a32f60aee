using System.Diagnostics;
using System.Text;

namespace Attend.Tests.Cli;

/// <summary>Runs the real `attend` (Attend.Cli.dll beside the test binaries) as a child process.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _p;
    private readonly StringBuilder _out = new(), _err = new();

    public CliProcess(params string[] args) : this(new Dictionary<string, string>(), args) { }

    /// <summary>Starts `attend args…` with extra environment variables (e.g. the checkpoint writer's fault-injection pause).</summary>
    public CliProcess(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        // Through env(1) with SIGINT back at its default: a test run started in the background by a
        // non-interactive shell inherits SIGINT ignored, and .NET then never delivers it to the child,
        // so the Ctrl-C tests would time out for a reason that has nothing to do with attend. env execs
        // dotnet, so the process id stays the child's.
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        psi.ArgumentList.Add("--default-signal=INT");
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Attend.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        _p = Process.Start(psi)!;
        _p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_out) _out.AppendLine(e.Data); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_err) _err.AppendLine(e.Data); };
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    public int Id => _p.Id;
    public bool HasExited => _p.HasExited;

    /// <summary>Writes one line to the child's stdin and flushes it.</summary>
    public void WriteLine(string line)
    {
        _p.StandardInput.WriteLine(line);
        _p.StandardInput.Flush();
    }

    /// <summary>Writes raw bytes (any encoding, or none) to the child's stdin and flushes them.</summary>
    public void WriteBytes(byte[] bytes)
    {
        _p.StandardInput.Flush();
        _p.StandardInput.BaseStream.Write(bytes);
        _p.StandardInput.BaseStream.Flush();
    }

    public void CloseInput() => _p.StandardInput.Close();
    public string Stdout { get { lock (_out) return _out.ToString(); } }
    public string Stderr { get { lock (_err) return _err.ToString(); } }

    /// <summary>Sends a POSIX signal (INT, TERM, KILL) with kill(1).</summary>
    public void Signal(string name)
    {
        using var k = Process.Start("kill", ["-" + name, _p.Id.ToString()]);
        k.WaitForExit();
    }

    /// <summary>SIGKILL at once, without the latency of starting kill(1).</summary>
    public void KillNow() => _p.Kill();

    public int Wait(TimeSpan timeout)
    {
        if (!_p.WaitForExit(timeout))
        {
            _p.Kill(true);
            throw new TimeoutException($"attend did not exit within {timeout}; stderr: {Stderr}");
        }
        _p.WaitForExit();
        return _p.ExitCode;
    }

    public void Dispose()
    {
        if (!_p.HasExited) _p.Kill(true);
        _p.Dispose();
    }
}
