using System.Text.RegularExpressions;

namespace EvoAct.Cli.Tests;

/// <summary>One writer per run on a shared PostgreSQL journal, whatever the --data directories.</summary>
public sealed class WriterLockTests : IDisposable
{
    readonly string a = Directory.CreateTempSubdirectory("evoact-lock-a").FullName;
    readonly string b = Directory.CreateTempSubdirectory("evoact-lock-b").FullName;
    readonly string run = "lk" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        Directory.Delete(a, recursive: true);
        Directory.Delete(b, recursive: true);
    }

    static string Connection =>
        Environment.GetEnvironmentVariable("EVOACT_TEST_POSTGRES") is { Length: > 0 } c ? c
            : "Host=127.0.0.1;Port=5432;Username=evoact;Password=evoact;Database=evoact";

    string[] Args(string command, string data, int max) =>
    [
        command, "--data", data, "--run", run, "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=200ms",
        "--set", "evolution.population-size=10", "--set", "evolution.sample-size=3", "--set", $"evolution.max-evaluations={max}",
        "--set", "persistence.provider=postgres", "--set", $"persistence.connection-string=\"{Connection}\"",
    ];

    [Fact]
    public void A_second_run_or_seed_on_a_run_being_written_exits_2_naming_the_run_and_the_first_goes_on()
    {
        using var first = EvoactProcess.Start(Args("run", a, 100000));
        first.WaitForLine(l => Regex.IsMatch(l, @"^\[[1-9]\d*/100000\]"), TimeSpan.FromSeconds(60));

        var second = EvoactProcess.Run(TimeSpan.FromSeconds(60), Args("run", b, 100000));
        Assert.True(second.ExitCode == 2, second.ToString());
        Assert.Single(second.StderrLines);
        Assert.Matches($@"^evoact: config error: --run: run '{run}' is already being written by another process \(evoact pid {first.Pid}@.+\) on the PostgreSQL journal$", second.StderrLines[0]);

        int port = EvoactProcess.FreePort();
        var seed = EvoactProcess.Run(TimeSpan.FromSeconds(90),
            [.. Args("seed", b, 100000), "--port", port.ToString(), "--set", $"cluster.seed-nodes=[\"akka.tcp://evoact@127.0.0.1:{port}\"]"]);
        Assert.True(seed.ExitCode == 2, seed.ToString());
        Assert.Contains($"evoact: run '{run}' is already being written by another process (evoact pid {first.Pid}@", seed.Stderr);

        // The first writer was not disturbed: it still makes progress and stops cleanly.
        var before = first.Lines.Length;
        first.WaitForLine(l => first.Lines.Length > before + 1 && l.StartsWith('['), TimeSpan.FromSeconds(30));
        Assert.False(first.HasExited);
        first.Signal("TERM");
        Assert.Equal(0, first.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.DoesNotContain("23505", first.Stderr);
    }

    [Fact]
    public void A_second_transfer_of_the_same_name_exits_2_naming_it()
    {
        var source = EvoactProcess.Run(TimeSpan.FromSeconds(90), [.. Args("run", a, 12), "--set", "trainers.fake-delay=1ms"]);
        Assert.True(source.ExitCode == 0, source.ToString());
        string[] Transfer(string data) =>
        [
            "transfer", "--data", data, "--run", run, "--preset", "smoke", "--top", "1", "--include", "relu", "--runs", "50",
            "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=300ms",
            "--set", "persistence.provider=postgres", "--set", $"persistence.connection-string=\"{Connection}\"",
        ];
        using var first = EvoactProcess.Start(Transfer(a));
        first.WaitForLine(l => l.StartsWith($"starting transfer transfer-{run}-smoke"), TimeSpan.FromSeconds(60));
        var second = EvoactProcess.Run(TimeSpan.FromSeconds(60), Transfer(b));
        Assert.True(second.ExitCode == 2, second.ToString());
        Assert.Single(second.StderrLines);
        Assert.Contains($"transfer 'transfer-{run}-smoke' is already being written by another process (evoact pid {first.Pid}@", second.StderrLines[0]);
        first.Signal("TERM");
        Assert.Equal(0, first.WaitForExit(TimeSpan.FromSeconds(60)));
    }
}
