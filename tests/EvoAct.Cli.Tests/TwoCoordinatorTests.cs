using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvoAct.Cli.Tests;

/// <summary>
/// Two `evoact seed` coordinators on a shared PostgreSQL journal, each with a local fake trainer, as
/// real processes on loopback. The split brain resolver's lease (lease-majority, an advisory lock in
/// the journal's database) lets the survivor of either one go on.
/// </summary>
public sealed class TwoCoordinatorTests : IDisposable
{
    readonly string a = Directory.CreateTempSubdirectory("evoact-2c-a").FullName;
    readonly string b = Directory.CreateTempSubdirectory("evoact-2c-b").FullName;
    readonly string run = "tc" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        Directory.Delete(a, recursive: true);
        Directory.Delete(b, recursive: true);
    }

    static string Connection =>
        Environment.GetEnvironmentVariable("EVOACT_TEST_POSTGRES") is { Length: > 0 } c ? c
            : "Host=127.0.0.1;Port=5432;Username=evoact;Password=evoact;Database=evoact";

    string[] Where => ["--run", run, "--set", "persistence.provider=postgres", "--set", $"persistence.connection-string=\"{Connection}\""];

    string[] Seed(string data, int port, string seeds, int max) =>
    [
        "seed", "--data", data, "--port", port.ToString(), "--trainers", "1", .. Where,
        "--set", $"cluster.seed-nodes={seeds}", "--set", "cluster.down-after=2s",
        "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=200ms", "--set", "run.progress-interval=200ms",
        "--set", "evolution.population-size=10", "--set", "evolution.sample-size=3", "--set", $"evolution.max-evaluations={max}",
    ];

    (int Low, int High) Ports()
    {
        int p = EvoactProcess.FreePort(), q = EvoactProcess.FreePort();
        while (q == p) q = EvoactProcess.FreePort();
        return (Math.Min(p, q), Math.Max(p, q));
    }

    JsonElement Status()
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), ["status", "--json", "--data", a, .. Where]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void The_survivor_goes_on_after_kill_9_of_the_coordinator_with_the_singleton_and_the_lowest_address()
    {
        const int max = 60;
        // The singleton lives on the oldest node, started first, given the lower port: keep-majority
        // would break the 1-1 tie toward it, the dead one, and the survivor would down itself.
        var (low, high) = Ports();
        var seeds = $"[\"akka.tcp://evoact@127.0.0.1:{low}\", \"akka.tcp://evoact@127.0.0.1:{high}\"]";
        var first = EvoactProcess.Start(Seed(a, low, seeds, max));
        using var second = EvoactProcess.Start(Seed(b, high, seeds, max));
        try
        {
            first.WaitForLine(l => l.StartsWith($"starting run {run}"), TimeSpan.FromSeconds(60));
            second.WaitForLine(l => l.StartsWith("seed up at"), TimeSpan.FromSeconds(60));
            first.WaitForLine(l => Regex.IsMatch(l, @"^\[(1\d|2\d)/60\]"), TimeSpan.FromSeconds(90));
            first.KillHard();

            second.WaitForLine(l => l.StartsWith($"resuming run {run} at evaluation"), TimeSpan.FromSeconds(90));
            second.WaitForLine(l => l.StartsWith($"finished run {run}: {max} evaluations"), TimeSpan.FromSeconds(120));
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(60)) == 0, second.Stderr);
            Assert.DoesNotContain("removed from the cluster", second.Stderr);
        }
        finally
        {
            first.Dispose();
        }
        var status = Status();
        Assert.Equal(max, status.GetProperty("completed").GetInt32());
        Assert.Equal(0, status.GetProperty("in_flight").GetInt32());
    }

    [Fact]
    public void Both_coordinators_exit_when_the_run_finishes_and_the_finished_run_is_not_resumed()
    {
        // Long enough (about 15 s of 200 ms trainings) that the second seed is in the cluster before the
        // run ends: when its first InitJoin reaches the first seed before that one has formed the
        // cluster, Akka retries after seed-node-timeout (5 s), and 20 evaluations (about 5 s) had
        // sometimes finished by then, leaving it outside to wait for evoact.cluster.join-timeout.
        const int max = 60;
        var (low, high) = Ports();
        var seeds = $"[\"akka.tcp://evoact@127.0.0.1:{low}\", \"akka.tcp://evoact@127.0.0.1:{high}\"]";
        using var first = EvoactProcess.Start(Seed(a, low, seeds, max));
        using var second = EvoactProcess.Start(Seed(b, high, seeds, max));
        second.WaitForLine(l => l.StartsWith("seed up at"), TimeSpan.FromSeconds(60));
        first.WaitForLine(l => l.StartsWith($"finished run {run}: {max} evaluations"), TimeSpan.FromSeconds(120));
        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(60)) == 0, first.Stderr);
        Assert.True(second.WaitForExit(TimeSpan.FromSeconds(60)) == 0, second.Stderr);
        Assert.DoesNotContain(second.Lines, l => l.StartsWith("resuming run"));
        Assert.Single(first.Lines, l => l.StartsWith($"starting run {run}")); // announced once, not in a loop
        Assert.Contains(second.Lines, l => l.StartsWith($"finished run {run}: {max} evaluations") || l.StartsWith($"run {run} is already finished"));

        // Started again on the finished run, a seed says so and exits; nothing is trained.
        int port = EvoactProcess.FreePort();
        var again = EvoactProcess.Run(TimeSpan.FromSeconds(90), Seed(a, port, $"[\"akka.tcp://evoact@127.0.0.1:{port}\"]", max));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"run {run} is already finished: {max} evaluations", again.Stdout);
        Assert.Equal(max, Status().GetProperty("completed").GetInt32());
    }

    [Fact]
    public void A_coordinator_cut_off_from_the_cluster_is_downed_and_exits_with_one_line()
    {
        const int max = 300;
        var (low, high) = Ports();
        var seeds = $"[\"akka.tcp://evoact@127.0.0.1:{low}\", \"akka.tcp://evoact@127.0.0.1:{high}\"]";
        using var first = EvoactProcess.Start(Seed(a, low, seeds, max));
        using var second = EvoactProcess.Start(Seed(b, high, seeds, max));
        first.WaitForLine(l => l.StartsWith($"starting run {run}"), TimeSpan.FromSeconds(60));
        second.WaitForLine(l => l.StartsWith("seed up at"), TimeSpan.FromSeconds(60));
        first.WaitForLine(l => Regex.IsMatch(l, @"^\[([1-9]\d)/300\]"), TimeSpan.FromSeconds(90));

        // Frozen (SIGSTOP) for well past down-after, the second node looks dead to the first, which
        // takes the lease and downs it. Thawed, the second learns it was removed and exits.
        second.Signal("STOP");
        try
        {
            first.WaitForLine(l => l.Contains("SBR took decision") && l.Contains("DownUnreachable"), TimeSpan.FromSeconds(60));
        }
        finally
        {
            second.Signal("CONT");
        }
        Assert.Equal(1, second.WaitForExit(TimeSpan.FromSeconds(90)));
        var err = second.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(err);
        Assert.Matches(@"^evoact: this node \(akka\.tcp://evoact@127\.0\.0\.1:\d+\) was removed from the cluster", err[0]);

        first.WaitForLine(l => l.StartsWith($"finished run {run}: {max} evaluations"), TimeSpan.FromSeconds(240));
        Assert.Equal(0, first.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(max, Status().GetProperty("completed").GetInt32());
    }
}
