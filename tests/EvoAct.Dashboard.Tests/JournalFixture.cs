using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EvoAct.Cli.Tests;

namespace EvoAct.Dashboard.Tests;

/// <summary>
/// One journal for the dashboard tests, made by the real `evoact` with fake trainers: a finished run
/// ("done", 30 evaluations) with a transfer of its best (2 real smoke trainings), and a run that stays
/// live while the tests look at it ("live", 250 ms per evaluation, started with --dashboard-port so
/// the browser tests use the dashboard a run serves from its own process).
/// </summary>
public sealed class JournalFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("evoact-dashboard").FullName;
    public RunningEvoact Live { get; }
    /// <summary>The dashboard the live run serves.</summary>
    public string LiveUrl { get; }

    public static string[] RunArgs(string dir, string run, int max, string delay) =>
    [
        "run", "--data", dir, "--run", run, "--set", "trainers.kind=fake", "--set", $"trainers.fake-delay={delay}",
        "--set", "evolution.population-size=8", "--set", "evolution.sample-size=3", "--set", $"evolution.max-evaluations={max}",
        "--set", "run.progress-interval=200ms",
    ];

    public JournalFixture()
    {
        var done = EvoactProcess.Run(TimeSpan.FromSeconds(120), RunArgs(Dir, "done", 30, "1ms"));
        Assert.True(done.ExitCode == 0, done.ToString());
        var transfer = EvoactProcess.Run(TimeSpan.FromSeconds(180), "transfer", "--data", Dir, "--run", "done", "--preset", "smoke", "--top", "1",
                                         "--include", "relu", "--runs", "2",
                                         "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=1ms");
        Assert.True(transfer.ExitCode == 0, transfer.ToString());
        int port = EvoactProcess.FreePort();
        Live = EvoactProcess.Start([.. RunArgs(Dir, "live", 100_000, "250ms"), "--dashboard-port", port.ToString()]);
        Live.WaitForLine(l => l.StartsWith("dashboard at http://127.0.0.1:"), TimeSpan.FromSeconds(60));
        Live.WaitForLine(l => l.StartsWith("[3/"), TimeSpan.FromSeconds(60));
        LiveUrl = $"http://127.0.0.1:{port}";
    }

    /// <summary>`evoact ARGS --json` (status, top, export) on this journal, parsed.</summary>
    public JsonElement Cli(params string[] args)
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), [.. args, "--data", Dir]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    public void Dispose()
    {
        if (!Live.HasExited)
        {
            Live.Signal("TERM");
            Live.WaitForExit(TimeSpan.FromSeconds(60));
        }
        Live.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class JournalCollection : ICollectionFixture<JournalFixture>
{
    public const string Name = "dashboard journal";
}
