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

    public static EvoactResult Run(TimeSpan timeout, params string[] args)
    {
        Assert.True(File.Exists(DllPath), $"evoact.dll not found at {DllPath}");
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        psi.ArgumentList.Add(DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start evoact");
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
}
