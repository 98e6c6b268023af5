using System.Net;
using System.Net.Sockets;
using System.Diagnostics;

namespace EvoAct.Cli.Tests;

/// <summary>What a run of the `evoact` command printed and returned.</summary>
public sealed record EvoactResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the built `evoact` (evoact.dll, copied next to the test assembly by the project reference)
/// as a child process, as a user would: `dotnet evoact.dll args...`.
/// </summary>
public static class EvoactProcess
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "evoact.dll");

    /// <summary>The dotnet host: the one running these tests where the SDK says so, else dotnet on the PATH.</summary>
    static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }

    public static EvoactResult Run(params string[] args) => Run(DefaultTimeout, args);

    /// <summary>A loopback port free right now (for a node, a dashboard, a server the test starts).</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }



    /// <summary>
    /// As <see cref="Run(TimeSpan, string[])"/>, but as user nobody where the tests run as root (through
    /// setpriv), so that file permissions are enforced as they are for a user: root ignores them.
    /// </summary>
    public static EvoactResult RunUnprivileged(params string[] args) => RunWithInput(DefaultTimeout, "", args, unprivileged: true);

    /// <summary>Why <see cref="RunUnprivileged"/> cannot run here, or null: as root it needs setpriv, and nobody must be able to read evoact.dll.</summary>
    public static readonly Lazy<string?> UnprivilegedUnavailable = new(() =>
    {
        if (Environment.UserName != "root") return null;
        try
        {
            using var p = Process.Start(new ProcessStartInfo("setpriv", [.. Nobody, "test", "-r", DllPath]) { RedirectStandardError = true })!;
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"user nobody cannot read {DllPath}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"setpriv is not available: {e.Message}";
        }
    });

    static readonly string[] Nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];

    /// <summary>`dotnet evoact.dll args...` with every stream redirected, as every test runs it.</summary>
    static ProcessStartInfo StartInfo(string[] args, bool unprivileged = false)
    {
        Assert.True(File.Exists(DllPath), $"evoact.dll not found at {DllPath}");
        // Through `env --default-signal=INT`, which execs the host in the same process: a suite started
        // as a background job (`cmd &`, nohup) runs with SIGINT ignored, every child inherits that, and
        // evoact then rightly ignores Ctrl-C as a background job does. The tests press Ctrl-C as a
        // user at a terminal would, where SIGINT has its default disposition.
        var psi = new ProcessStartInfo(File.Exists("/usr/bin/env") ? "/usr/bin/env" : DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        if (psi.FileName == "/usr/bin/env") psi.ArgumentList.Add("--default-signal=INT");
        if (unprivileged && Environment.UserName == "root")
        {
            if (psi.FileName != "/usr/bin/env") psi.FileName = "setpriv";
            else psi.ArgumentList.Add("setpriv");
            foreach (var a in Nobody) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(DotnetHost());
            psi.Environment["HOME"] = Path.GetTempPath();
        }
        else if (psi.FileName == "/usr/bin/env") psi.ArgumentList.Add(DotnetHost());
        psi.ArgumentList.Add(DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        return psi;
    }

    public static EvoactResult Run(TimeSpan timeout, params string[] args) => RunWithInput(timeout, "", args);

    /// <summary>As <see cref="Run(TimeSpan, string[])"/>, with this text on standard input.</summary>
    public static EvoactResult RunWithInput(TimeSpan timeout, string stdin, params string[] args) => RunWithInput(timeout, stdin, args, unprivileged: false);

    static EvoactResult RunWithInput(TimeSpan timeout, string stdin, string[] args, bool unprivileged)
    {
        var psi = StartInfo(args, unprivileged);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start evoact");
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"evoact {string.Join(' ', args)} did not exit within {timeout.TotalSeconds} s");
        }
        process.WaitForExit(); // drains the redirected streams
        return new EvoactResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts evoact without waiting, for tests that watch a long run, signal it or kill it.</summary>
    public static RunningEvoact Start(params string[] args)
    {
        var psi = StartInfo(args);
        return new RunningEvoact(Process.Start(psi) ?? throw new InvalidOperationException("could not start evoact"));
    }
}

/// <summary>A live evoact process whose stdout lines are collected as they come.</summary>
public sealed class RunningEvoact : IDisposable
{
    readonly Process process;
    readonly List<string> lines = new();
    readonly System.Text.StringBuilder stderr = new();

    public RunningEvoact(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
    }

    public int Pid => process.Id;
    public bool HasExited => process.HasExited;
    public string[] Lines { get { lock (lines) return lines.ToArray(); } }
    public string Stderr { get { lock (stderr) return stderr.ToString(); } }

    /// <summary>Waits for a stdout line matching the predicate; fails the test with the output so far on timeout.</summary>
    public string WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            var found = Lines.FirstOrDefault(match);
            if (found is not null) return found;
            if (process.HasExited)
            {
                // HasExited can be true before the last redirected lines are delivered: the no-argument
                // WaitForExit drains them, so a line printed just before exit is never missed.
                process.WaitForExit();
                found = Lines.FirstOrDefault(match);
                if (found is not null) return found;
                break;
            }
            Thread.Sleep(50);
        }
        string ended = process.HasExited ? $"the process exited with code {process.ExitCode} first" : $"none within {timeout.TotalSeconds} s";
        throw new Xunit.Sdk.XunitException($"no matching line ({ended}); stdout:\n{string.Join("\n", Lines)}\nstderr:\n{Stderr}");
    }

    /// <summary>kill -9: no chance to clean up, as a crash or an OOM kill.</summary>
    public void KillHard()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>
    /// Sends a signal to this process, and only to it: with kill(2) right after checking it is still
    /// running. Spawning kill(1) left milliseconds in which the process could exit and, on a machine
    /// whose pid space (32,768 here) a full suite wraps, its pid be another test's evoact.
    /// </summary>
    public void Signal(string signal)
    {
        int number = signal switch { "INT" => 2, "KILL" => 9, "TERM" => 15, "CONT" => 18, "STOP" => 19, _ => throw new ArgumentException($"unknown signal {signal}") };
        if (process.HasExited) throw new InvalidOperationException($"cannot send SIG{signal}: the process exited with code {process.ExitCode}");
        if (Kill(process.Id, number) != 0) throw new InvalidOperationException($"kill({process.Id}, SIG{signal}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);

    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) { KillHard(); throw new TimeoutException("evoact did not exit"); }
        process.WaitForExit();
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited) KillHard();
        process.Dispose();
    }
}

/// <summary>A fact that runs evoact through <see cref="EvoactProcess.RunUnprivileged"/>: skipped, saying why, where it cannot.</summary>
public sealed class UnprivilegedFactAttribute : FactAttribute
{
    public UnprivilegedFactAttribute()
    {
        if (EvoactProcess.UnprivilegedUnavailable.Value is { } why) Skip = why;
    }
}
