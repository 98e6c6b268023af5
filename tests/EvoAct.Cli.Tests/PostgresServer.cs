using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EvoAct.Cli.Tests;

/// <summary>
/// A PostgreSQL server of the test's own (initdb in a temporary directory, on a free loopback port),
/// which the test may stop and start without disturbing the server other tests share. Needs root
/// (as CI runs) and Debian's postgresql package, which scripts/test.sh installs. Dispose stops it and
/// deletes its files.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "evoact-pg-" + Guid.NewGuid().ToString("N")[..8]);
    readonly string bin;
    public int Port { get; }
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=evoact;Password=evoact;Database=evoact";

    public PostgresServer()
    {
        bin = Directory.GetDirectories("/usr/lib/postgresql").OrderBy(d => Version.Parse(Path.GetFileName(d) + ".0")).Last() + "/bin";
        Port = EvoactProcess.FreePort();
        Directory.CreateDirectory(dir);
        Sh("chown", "postgres", dir);
        AsPostgres("initdb", "-D", $"{dir}/data", "-U", "evoact", "-A", "trust", "--no-sync");
        Start();
        AsPostgres("createdb", "-h", "127.0.0.1", "-p", Port.ToString(), "-U", "evoact", "evoact");
    }

    public void Start() =>
        AsPostgres("pg_ctl", "-D", $"{dir}/data", "-l", $"{dir}/log", "-w", "-o", $"-p {Port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    /// <summary>As an administrator would restart it: fast shutdown, which terminates every session (57P01).</summary>
    public void Stop() => AsPostgres("pg_ctl", "-D", $"{dir}/data", "-m", "fast", "-w", "stop");

    public bool IsRunning => Exec("runuser", ["-u", "postgres", "--", $"{bin}/pg_ctl", "-D", $"{dir}/data", "status"]).ExitCode == 0;

    public void Dispose()
    {
        try { if (IsRunning) Stop(); }
        finally { Directory.Delete(dir, recursive: true); }
    }

    void AsPostgres(string tool, params string[] args) => Sh("runuser", ["-u", "postgres", "--", $"{bin}/{tool}", .. args]);

    static void Sh(string file, params string[] args)
    {
        var (code, output) = Exec(file, args);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {output}");
    }

    static (int ExitCode, string Output) Exec(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60))) { p.Kill(true); throw new TimeoutException($"{file} did not exit"); }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
