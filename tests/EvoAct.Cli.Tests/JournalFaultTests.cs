using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvoAct.Cli.Tests;

/// <summary>
/// Journal faults through the CLI, on real parts: a PostgreSQL server of the test's own that is
/// stopped and started mid-run, an unreachable or malformed journal at start, and SQLite on a
/// size-limited tmpfs that fills up mid-run.
/// </summary>
public sealed class JournalFaultTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-faults").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string[] Fake(string run, int max, string delay, params string[] extra) =>
    [
        "--run", run, "--set", "trainers.kind=fake", "--set", $"trainers.fake-delay={delay}", "--set", "trainers.slots=2",
        "--set", "evolution.population-size=10", "--set", "evolution.sample-size=3",
        "--set", $"evolution.max-evaluations={max}", "--set", "run.progress-interval=100ms", .. extra,
    ];

    static string[] Postgres(string connection) =>
        ["--set", "persistence.provider=postgres", "--set", $"persistence.connection-string=\"{connection}\""];

    static JsonElement Status(params string[] args)
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), ["status", "--json", .. args]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    static long[] Ids(params string[] args)
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), ["export", "--format", "json", .. args]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.GetProperty("evaluations").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToArray();
    }

    static int Trained(string progressLine) => int.Parse(Regex.Match(progressLine, @"^\[(\d+)/").Groups[1].Value);

    [Fact]
    public void A_PostgreSQL_restart_mid_run_is_waited_out_and_the_run_finishes_by_itself()
    {
        using var pg = new PostgresServer();
        const int max = 300; // long enough that the run is still going when the server is down, on a busy machine too
        string[] args = ["run", "--data", dir, .. Fake("pgr", max, "100ms"), .. Postgres(pg.ConnectionString)];
        using var run = EvoactProcess.Start(args);
        try
        {
            run.WaitForLine(l => Regex.IsMatch(l, @"^\[(1\d|2\d)/300\]"), TimeSpan.FromSeconds(90));
            pg.Stop();
            var outage = run.WaitForLine(l => l.StartsWith("journal unavailable: "), TimeSpan.FromSeconds(60));
            Assert.Matches(@"^journal unavailable: .+; retrying in \d+s$", outage);
            // Still down for a few retries: the process waits, it does not exit.
            run.WaitForLine(l => l.StartsWith("journal unavailable: ") && l != outage, TimeSpan.FromSeconds(60));
            Assert.False(run.HasExited, run.Stderr);
        }
        finally
        {
            if (!pg.IsRunning) pg.Start();
        }
        run.WaitForLine(l => l.StartsWith($"finished run pgr: {max} evaluations"), TimeSpan.FromSeconds(240));
        Assert.Equal(0, run.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains(run.Lines, l => l.StartsWith("resuming run pgr at evaluation")); // recovered from the journal

        string[] where = ["--data", dir, "--run", "pgr", .. Postgres(pg.ConnectionString)];
        var status = Status(where);
        Assert.Equal(max, status.GetProperty("completed").GetInt32());
        Assert.Equal(0, status.GetProperty("in_flight").GetInt32());
        var ids = Ids(where);
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void A_journal_outage_past_the_limit_exits_1_with_one_line_and_loses_nothing()
    {
        using var pg = new PostgresServer();
        string[] args = ["run", "--data", dir, .. Fake("pgl", 1000, "100ms", "--set", "run.journal-outage-limit=4s"), .. Postgres(pg.ConnectionString)];
        int before;
        using (var run = EvoactProcess.Start(args))
        {
            try
            {
                before = Trained(run.WaitForLine(l => Regex.IsMatch(l, @"^\[(1\d|2\d)/1000\]"), TimeSpan.FromSeconds(90)));
                pg.Stop();
                Assert.Equal(1, run.WaitForExit(TimeSpan.FromSeconds(90)));
            }
            finally
            {
                if (!pg.IsRunning) pg.Start();
            }
            Assert.Contains(run.Lines, l => l.StartsWith("journal unavailable: "));
            var err = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Single(err);
            Assert.Matches(@"^evoact: the journal has been unavailable for \d+s, past evoact\.run\.journal-outage-limit \(4s\): ", err[0]);
        }
        var status = Status(["--data", dir, "--run", "pgl", .. Postgres(pg.ConnectionString)]);
        Assert.True(status.GetProperty("completed").GetInt32() >= before);
    }

    [Fact]
    public void The_outage_limit_is_validated_like_every_other_key()
    {
        var r = EvoactProcess.Run(["run", "--data", dir, .. Fake("v", 10, "1ms", "--set", "run.journal-outage-limit=soon")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["evoact: config error: evoact.run.journal-outage-limit: expected a duration like 500ms, 30s, 5m or 2h, got 'soon'"], r.StderrLines);
        Assert.False(File.Exists(Path.Combine(dir, "evoact.db")));
    }

    [Fact]
    public void An_unreachable_or_malformed_PostgreSQL_journal_at_start_exits_2_with_one_line()
    {
        int closed;
        using (var pg = new PostgresServer()) closed = pg.Port; // a port where no server listens any more
        var unreachable = $"Host=127.0.0.1;Port={closed};Username=evoact;Password=evoact;Database=evoact;Timeout=3";
        foreach (var command in new[] { "run", "status", "seed" })
        {
            var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), [command, "--data", dir, .. Fake("u", 10, "1ms"), .. Postgres(unreachable)]);
            Assert.True(r.ExitCode == 2, r.ToString());
            Assert.Single(r.StderrLines);
            Assert.StartsWith($"evoact: cannot reach the PostgreSQL journal at 127.0.0.1:{closed}: ", r.StderrLines[0]);
        }
        foreach (var command in new[] { "run", "status" })
        {
            var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), [command, "--data", dir, .. Fake("m", 10, "1ms"), .. Postgres("Hots=127.0.0.1;Port=x")]);
            Assert.True(r.ExitCode == 2, r.ToString());
            Assert.Single(r.StderrLines);
            Assert.StartsWith("evoact: config error: evoact.persistence.connection-string: not a valid PostgreSQL connection string", r.StderrLines[0]);
        }
        Assert.False(File.Exists(Path.Combine(dir, "evoact.db")));
    }
}

/// <summary>SQLite on a full disk mid-run: a tmpfs of a few MB, filled up with a file, then freed.</summary>
public sealed class SqliteDiskFullTests
{
    [TmpfsFact]
    public void A_full_disk_mid_run_is_an_outage_the_run_waits_out_and_finishes_once_space_is_freed()
    {
        using var disk = new Tmpfs("size=6m");
        var data = Path.Combine(disk.Path, "runs");
        RunningEvoact? run = null;
        try
        {
            const int max = 200;
            run = EvoactProcess.Start("run", "--data", data, "--run", "full", "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=20ms",
                "--set", "trainers.slots=2", "--set", "evolution.population-size=10", "--set", "evolution.sample-size=3",
                "--set", $"evolution.max-evaluations={max}", "--set", "run.progress-interval=100ms");
            run.WaitForLine(l => Regex.IsMatch(l, @"^\[([2-9]\d)/200\]"), TimeSpan.FromSeconds(90));
            disk.Fill();
            var outage = run.WaitForLine(l => l.StartsWith("journal unavailable: "), TimeSpan.FromSeconds(60));
            Assert.Contains("full", outage);
            Assert.False(run.HasExited, run.Stderr);
            disk.Free();
            run.WaitForLine(l => l.StartsWith($"finished run full: {max} evaluations"), TimeSpan.FromSeconds(120));
            Assert.Equal(0, run.WaitForExit(TimeSpan.FromSeconds(60)));

            var status = EvoactProcess.Run(TimeSpan.FromSeconds(60), "status", "--json", "--data", data, "--run", "full");
            Assert.True(status.ExitCode == 0, status.ToString());
            using var doc = JsonDocument.Parse(status.Stdout);
            Assert.Equal(max, doc.RootElement.GetProperty("completed").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("in_flight").GetInt32());
        }
        finally
        {
            run?.Dispose();
        }
    }

    /// <summary>The outage limit holds for every journaled command, not only run: here on a full disk.</summary>
    [TmpfsFact]
    public void A_seed_and_a_transfer_past_the_outage_limit_exit_1_with_one_line()
    {
        using var disk = new Tmpfs("size=2m");
        string[] fake = ["--set", "trainers.kind=fake", "--set", "evolution.population-size=10", "--set", "evolution.sample-size=3",
                         "--set", "run.progress-interval=100ms", "--set", "run.journal-outage-limit=3s"];
        var source = EvoactProcess.Run(TimeSpan.FromSeconds(90), ["run", "--data", disk.Path, "--run", "src", .. fake,
            "--set", "trainers.fake-delay=1ms", "--set", "evolution.max-evaluations=12"]);
        Assert.True(source.ExitCode == 0, source.ToString());

        int port = EvoactProcess.FreePort();
        using (var seed = EvoactProcess.Start(["seed", "--data", disk.Path, "--run", "lim", "--port", port.ToString(), "--trainers", "1",
                                               "--set", $"cluster.seed-nodes=[\"akka.tcp://evoact@127.0.0.1:{port}\"]", "--set", "trainers.fake-delay=50ms",
                                               "--set", "evolution.max-evaluations=100000", .. fake]))
        {
            seed.WaitForLine(l => l.StartsWith("[") && !l.StartsWith("[0/"), TimeSpan.FromSeconds(90));
            disk.Fill();
            Assert.Equal(1, seed.WaitForExit(TimeSpan.FromSeconds(90)));
            AssertOutageLimitLine(seed);
        }
        disk.Free();

        using (var transfer = EvoactProcess.Start(["transfer", "--data", disk.Path, "--run", "src", "--preset", "smoke", "--runs", "100",
                                                   "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=100ms", "--set", "run.journal-outage-limit=3s"]))
        {
            transfer.WaitForLine(l => l.Contains("jobs done") && !l.StartsWith("[0/"), TimeSpan.FromSeconds(90));
            disk.Fill();
            Assert.Equal(1, transfer.WaitForExit(TimeSpan.FromSeconds(90)));
            AssertOutageLimitLine(transfer);
        }
    }

    static void AssertOutageLimitLine(RunningEvoact p)
    {
        Assert.Contains(p.Lines, l => l.StartsWith("journal unavailable: "));
        var err = p.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(err);
        Assert.Matches(@"^evoact: the journal has been unavailable for \d+s, past evoact\.run\.journal-outage-limit \(3s\): ", err[0]);
    }
}
