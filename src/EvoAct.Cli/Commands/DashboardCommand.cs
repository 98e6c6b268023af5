using System.CommandLine;
using EvoAct.Dashboard;

namespace EvoAct.Cli.Commands;

/// <summary>
/// `evoact dashboard [--data DIR] [--host 127.0.0.1] [--port 8080] [--token T]`: the read-only web
/// dashboard over the runs and transfers of one journal, until Ctrl-C; and `--dashboard-port N`, the
/// same dashboard served by `run` and `seed` from their own process.
/// </summary>
public static class DashboardCommand
{
    public static Command Create()
    {
        var options = new RunOptions();
        var host = new Option<string>("--host") { Description = "Address to bind; anything but loopback needs --token", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to serve on (0: any free port)", DefaultValueFactory = _ => 8080 };
        var token = new Option<string?>("--token") { Description = $"Required on every request when set (default: ${DashboardOptions.TokenVariable})" };
        var command = new Command("dashboard", "Serve a live, read-only web dashboard of the runs and transfers in a journal") { host, port, token };
        options.AddTo(command);
        command.SetAction(r =>
        {
            var s = options.Load(r);
            var o = new DashboardOptions(s.Persistence, s.DataDirectory, r.GetValue(host)!, r.GetValue(port),
                                         r.GetValue(token) ?? Environment.GetEnvironmentVariable(DashboardOptions.TokenVariable));
            using var stop = new StopSignal();
            var server = DashboardServer.StartAsync(o).GetAwaiter().GetResult();
            Console.WriteLine($"dashboard of {Where(s)} at {Shown(server.Url, o)} (Ctrl-C to stop)");
            try { Task.Delay(Timeout.Infinite, stop.Token).GetAwaiter().GetResult(); }
            catch (OperationCanceledException) { }
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Console.WriteLine("dashboard stopped");
            return 0;
        });
        return command;
    }

    /// <summary>The option `run` and `seed` take.</summary>
    public static Option<int?> PortOption() => new("--dashboard-port") { Description = "Also serve the web dashboard on 127.0.0.1:N from this process" };

    /// <summary>
    /// The dashboard beside a run in the same process, or null without --dashboard-port. It binds
    /// 127.0.0.1 (use `evoact dashboard --host` with a token to serve beyond this machine).
    /// </summary>
    public static DashboardServer? StartBeside(Cluster.Configuration.RunSettings s, int? port)
    {
        if (port is not { } p) return null;
        // The run creates its data directory; the dashboard must not wait for it to say it is missing.
        if (s.Persistence.Provider == Cluster.Configuration.JournalProvider.Sqlite && !File.Exists(s.DataDirectory)) Directory.CreateDirectory(s.DataDirectory);
        var o = new DashboardOptions(s.Persistence, s.DataDirectory, "127.0.0.1", p, Environment.GetEnvironmentVariable(DashboardOptions.TokenVariable))
        {
            PortOption = "--dashboard-port",
        };
        var server = DashboardServer.StartAsync(o).GetAwaiter().GetResult();
        Console.WriteLine($"dashboard at {Shown(server.Url, o)}");
        return server;
    }

    static string Where(Cluster.Configuration.RunSettings s) =>
        s.Persistence.Provider == Cluster.Configuration.JournalProvider.Sqlite ? s.DataDirectory : "the PostgreSQL journal";

    /// <summary>A URL to open: with a wildcard address, this machine's loopback (the token is not printed).</summary>
    static string Shown(string url, DashboardOptions o) => url.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "[::1]") + (string.IsNullOrEmpty(o.Token) ? "" : "/?token=...");
}
