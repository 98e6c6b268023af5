using System.Text.RegularExpressions;

namespace EvoAct.Cli.Tests;

/// <summary>
/// `transfer --port` and `fidelity --port`: the study serves cluster workers, which train its jobs
/// over TCP on loopback beside (or instead of) its local trainers, and exit when it is done.
/// </summary>
public sealed class ClusterTransferTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-cluster-transfer").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>The run whose best activations are transferred: "src", on fake trainers.</summary>
    void SourceRun()
    {
        var source = EvoactProcess.Run(TimeSpan.FromSeconds(90), "run", "--data", dir, "--run", "src", "--set", "trainers.kind=fake",
            "--set", "trainers.fake-delay=1ms", "--set", "evolution.population-size=8", "--set", "evolution.sample-size=2", "--set", "evolution.max-evaluations=20");
        Assert.True(source.ExitCode == 0, source.ToString());
    }

    [Fact]
    public void A_transfer_with_no_local_trainer_is_trained_by_a_worker_and_both_exit_0()
    {
        SourceRun();

        int port = EvoactProcess.FreePort();
        var address = $"akka.tcp://evoact@127.0.0.1:{port}";
        using var transfer = EvoactProcess.Start("transfer", "--data", dir, "--run", "src", "--preset", "smoke", "--top", "2", "--include", "relu", "--runs", "3",
            "--port", port.ToString(), "--set", $"cluster.seed-nodes=[\"{address}\"]", "--set", "trainers.slots=0",
            "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=50ms");
        Assert.Equal($"serving workers at {address}: evoact worker --seed-nodes {address}", transfer.WaitForLine(l => l.StartsWith("serving workers at"), Patience));
        using var worker = EvoactProcess.Start("worker", "--seed-nodes", address, "--devices", "cpu:2", "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=50ms");

        transfer.WaitForLine(l => l.StartsWith("wrote "), Patience);
        Assert.Equal(0, transfer.WaitForExit(Patience));
        Assert.Equal(0, worker.WaitForExit(TimeSpan.FromSeconds(60)));
        // Every job went to the worker's two slots: the transfer had none of its own.
        var trained = worker.Lines.Where(l => l.Contains(" done #")).ToArray();
        Assert.Equal(9, trained.Select(l => Regex.Match(l, @" done #(\d+)").Groups[1].Value).Distinct().Count());
        Assert.Equal(2, trained.Select(l => l[..l.IndexOf(' ')]).Distinct().Count());
        Assert.Contains(worker.Lines, l => l == "run finished");
        var csv = File.ReadAllLines(Path.Combine(dir, "transfer-src-smoke.csv"));
        Assert.Equal(4, csv.Length); // header + 3 activations
        Assert.All(csv.Skip(1), row => Assert.Contains(",3,0,", row)); // 3 runs each, none failed
    }

    [Fact]
    public void A_fidelity_study_serves_workers_beside_its_own_trainer()
    {
        int port = EvoactProcess.FreePort();
        var address = $"akka.tcp://evoact@127.0.0.1:{port}";
        using var study = EvoactProcess.Start("fidelity", "--data", dir, "--proxy", "smoke", "--target", "smoke", "--random", "2", "--seeds", "2",
            "--port", port.ToString(), "--set", $"cluster.seed-nodes=[\"{address}\"]",
            "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=100ms");
        study.WaitForLine(l => l.StartsWith("serving workers at"), Patience);
        using var worker = EvoactProcess.Start("worker", "--seed-nodes", address, "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=100ms");
        study.WaitForLine(l => l.StartsWith("wrote "), Patience);
        Assert.Equal(0, study.WaitForExit(Patience));
        Assert.Equal(0, worker.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains(worker.Lines, l => l.Contains(" done #")); // the worker took part
        Assert.True(File.Exists(Path.Combine(dir, "fidelity-smoke-smoke.md")));
    }

    [Fact]
    public void A_worker_killed_mid_job_has_its_job_trained_again_by_another_worker()
    {
        SourceRun();
        int port = EvoactProcess.FreePort();
        var address = $"akka.tcp://evoact@127.0.0.1:{port}";
        using var transfer = EvoactProcess.Start("transfer", "--data", dir, "--run", "src", "--preset", "smoke", "--top", "1", "--include", "relu", "--runs", "4",
            "--port", port.ToString(), "--set", $"cluster.seed-nodes=[\"{address}\"]", "--set", "cluster.down-after=2s", "--set", "trainers.slots=0");
        transfer.WaitForLine(l => l.StartsWith("serving workers at"), Patience);
        // The first worker's job takes far longer than the test: it is still training it when killed.
        // Every node of a cluster needs the same down-after: the split brain resolver's leader may be a worker.
        using var doomed = EvoactProcess.Start("worker", "--seed-nodes", address, "--set", "cluster.down-after=2s", "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=600s");
        var taken = int.Parse(Regex.Match(doomed.WaitForLine(l => l.Contains(" training #"), Patience), @" training #(\d+)").Groups[1].Value);
        using var survivor = EvoactProcess.Start("worker", "--seed-nodes", address, "--set", "cluster.down-after=2s", "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=100ms");
        survivor.WaitForLine(l => l.Contains(" done #"), Patience);
        doomed.KillHard();
        transfer.WaitForLine(l => l.StartsWith("wrote "), Patience);
        Assert.Equal(0, transfer.WaitForExit(Patience));
        Assert.Equal(0, survivor.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains(survivor.Lines, l => l.Contains($" done #{taken} completed")); // the dead worker's job, trained again
        var csv = File.ReadAllLines(Path.Combine(dir, "transfer-src-smoke.csv"));
        Assert.Equal(3, csv.Length);
        Assert.All(csv.Skip(1), row => Assert.Contains(",4,0,", row)); // every job done, none failed
    }

    [Theory]
    [InlineData("transfer")]
    [InlineData("fidelity")]
    public void A_port_that_is_none_is_one_line_and_exit_2(string command)
    {
        var r = command == "transfer"
            ? EvoactProcess.Run("transfer", "--data", dir, "--run", "src", "--preset", "smoke", "--port", "70000")
            : EvoactProcess.Run("fidelity", "--data", dir, "--proxy", "smoke", "--target", "smoke", "--port", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains("--port: ", r.StderrLines[0]);
    }
}
