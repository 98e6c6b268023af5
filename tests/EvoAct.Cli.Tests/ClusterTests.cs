using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvoAct.Cli.Tests;

/// <summary>
/// A real Akka cluster over TCP on loopback: a seed process and two worker processes on fake
/// trainers, with kill -9 of a worker and of the seed.
/// </summary>
public sealed class ClusterTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-cluster").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string[] Common(int max) =>
    [
        "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=300ms",
        "--set", "evolution.population-size=10", "--set", "evolution.sample-size=3",
        "--set", $"evolution.max-evaluations={max}", "--set", "cluster.down-after=2s", "--set", "run.progress-interval=200ms",
    ];

    JsonElement[] Evaluations(string run)
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), "export", "--format", "json", "--data", dir, "--run", run);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.GetProperty("evaluations").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    [Fact]
    public void Seed_and_two_workers_survive_kill_9_of_a_worker_and_of_the_seed()
    {
        const int max = 40;
        int port = EvoactProcess.FreePort();
        var seedAddress = $"akka.tcp://evoact@127.0.0.1:{port}";
        string[] seedArgs = ["seed", "--data", dir, "--run", "c", "--port", port.ToString(), "--set", $"cluster.seed-nodes=[\"{seedAddress}\"]", .. Common(max)];
        string[] workerArgs = ["worker", "--seed-nodes", seedAddress, .. Common(max)];

        var seed = EvoactProcess.Start(seedArgs);
        // w1 never finishes an evaluation, so its kill is always mid-evaluation.
        using var w1 = EvoactProcess.Start([.. workerArgs, "--set", "trainers.fake-delay=1h"]);
        using var w2 = EvoactProcess.Start(workerArgs);
        try
        {
            seed.WaitForLine(l => l.StartsWith("starting run c"), TimeSpan.FromSeconds(120));
            var w1Up = w1.WaitForLine(l => l.StartsWith("worker up at"), TimeSpan.FromSeconds(120));
            string w1Id = Regex.Match(w1Up, @"@([\d.]+:\d+)").Groups[1].Value;

            // 1. kill -9 a worker in the middle of an evaluation, once both work: its candidate is trained elsewhere.
            w2.WaitForLine(l => l.Contains(" training #"), TimeSpan.FromSeconds(120));
            var started = w1.WaitForLine(l => l.Contains(" training #"), TimeSpan.FromSeconds(120));
            w1.KillHard();
            long lost = long.Parse(Regex.Match(started, @"training #(\d+)").Groups[1].Value);
            Assert.DoesNotContain(w1.Lines, l => l.Contains(" done #"));

            // 2. kill -9 the seed once the run is well under way, then start it again.
            seed.WaitForLine(l => Regex.IsMatch(l, @"^\[(1[5-9]|[2-3]\d)/40\]"), TimeSpan.FromSeconds(120));
            seed.KillHard();
            seed.Dispose();
            var before = Evaluations("c");
            Assert.NotEmpty(before);

            seed = EvoactProcess.Start(seedArgs);
            seed.WaitForLine(l => l.StartsWith("resuming run c at evaluation"), TimeSpan.FromSeconds(120));
            seed.WaitForLine(l => l.StartsWith($"finished run c: {max} evaluations"), TimeSpan.FromSeconds(180));
            Assert.Equal(0, seed.WaitForExit(TimeSpan.FromSeconds(120)));

            var after = Evaluations("c");
            var ids = after.Select(e => e.GetProperty("id").GetInt64()).ToArray();
            Assert.Equal(ids.Length, ids.Distinct().Count());                              // none twice
            Assert.Subset(ids.ToHashSet(), before.Select(e => e.GetProperty("id").GetInt64()).ToHashSet()); // none lost
            var status = EvoactProcess.Run(TimeSpan.FromSeconds(60), "status", "--data", dir, "--run", "c", "--json");
            Assert.True(status.ExitCode == 0, status.ToString());
            using var doc = JsonDocument.Parse(status.Stdout);
            Assert.Equal(max, doc.RootElement.GetProperty("completed").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("in_flight").GetInt32());
            var settled = after.Single(e => e.GetProperty("id").GetInt64() == lost);
            Assert.Equal("completed", settled.GetProperty("status").GetString());
            Assert.DoesNotContain(w1Id, settled.GetProperty("worker").GetString());
            Assert.Contains(w2.Lines, l => l.Contains("lost the coordinator; joining again"));

            // 3. The surviving worker hears that the run is finished and exits by itself, cleanly.
            Assert.Equal(0, w2.WaitForExit(TimeSpan.FromSeconds(120)));
            Assert.Contains("run finished", w2.Lines);
        }
        finally
        {
            seed.Dispose();
        }
    }

    [Fact]
    public void A_seed_that_no_seed_node_lets_in_exits_1_with_one_line_after_the_join_timeout()
    {
        int port = EvoactProcess.FreePort(), nobody = EvoactProcess.FreePort();
        while (nobody == port) nobody = EvoactProcess.FreePort();
        // Its only seed node is an address where nothing listens, and not its own: it can never join.
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(90), ["seed", "--data", dir, "--run", "lonely", "--port", port.ToString(),
            "--set", $"cluster.seed-nodes=[\"akka.tcp://evoact@127.0.0.1:{nobody}\"]", "--set", "cluster.join-timeout=3s", .. Common(10)]);
        Assert.True(r.ExitCode == 1, r.ToString());
        var line = Assert.Single(r.StderrLines.Where(l => l.StartsWith("evoact:")));
        Assert.Matches($@"^evoact: this node \(akka\.tcp://evoact@127\.0\.0\.1:{port}\) did not join a cluster within 3 s \(evoact\.cluster\.join-timeout\): no seed node of akka\.tcp://evoact@127\.0\.0\.1:{nobody} let it in", line);
        Assert.DoesNotContain("Exception", r.Stderr);
        Assert.DoesNotContain("starting run", r.Stdout);
    }

    [Fact]
    public void A_worker_that_no_seed_node_lets_in_says_it_is_waiting_and_exits_1_after_the_worker_wait()
    {
        int nobody = EvoactProcess.FreePort();
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(90), ["worker", "--seed-nodes", $"akka.tcp://evoact@127.0.0.1:{nobody}",
            "--set", "cluster.worker-wait=8s", .. Common(10)]);
        Assert.True(r.ExitCode == 1, r.ToString());
        // Not silent while it waits: one line after 5 s, naming the seed nodes and the limit.
        Assert.Contains($"waiting for a seed node of akka.tcp://evoact@127.0.0.1:{nobody} to let this worker in (5s of 8s, evoact.cluster.worker-wait)", r.Stdout);
        var line = Assert.Single(r.StderrLines);
        Assert.Matches($@"^evoact: this worker \(akka\.tcp://evoact@127\.0\.0\.1:\d+\) was not let into a cluster within 8s \(evoact\.cluster\.worker-wait\): " +
                       $@"no seed node of akka\.tcp://evoact@127\.0\.0\.1:{nobody} let it in; start the seed", line);
        Assert.DoesNotContain("worker up at", r.Stdout);
    }

    [Fact]
    public void A_worker_whose_coordinator_is_gone_for_good_exits_1_after_the_worker_wait_instead_of_rejoining_forever()
    {
        int port = EvoactProcess.FreePort();
        var seedAddress = $"akka.tcp://evoact@127.0.0.1:{port}";
        // Slow fake trainings, so the run is mid-way when its seed dies and never comes back.
        string[] common = [.. Common(1000), "--set", "trainers.fake-delay=1h"];
        using var seed = EvoactProcess.Start(["seed", "--data", dir, "--run", "gone", "--port", port.ToString(), "--set", $"cluster.seed-nodes=[\"{seedAddress}\"]", .. common]);
        // The worker's 4 s wait is for the seed that dies below, not for this one's start-up, which
        // can take longer than that on a loaded machine (it did, with MALLOC_PERTURB_ zero-filling).
        seed.WaitForLine(l => l.StartsWith("starting run gone"), TimeSpan.FromSeconds(120));
        using var worker = EvoactProcess.Start(["worker", "--seed-nodes", seedAddress, "--set", "cluster.worker-wait=4s", .. common]);
        worker.WaitForLine(l => l.Contains(" training #"), TimeSpan.FromSeconds(120));
        seed.KillHard();
        worker.WaitForLine(l => l == "lost the coordinator; joining again", TimeSpan.FromSeconds(60));
        Assert.Equal(1, worker.WaitForExit(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(worker.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Matches($@"^evoact: this worker \(.+\) was not let into a cluster within 4s \(evoact\.cluster\.worker-wait\): no seed node of {Regex.Escape(seedAddress)} let it in; its coordinator is gone", line);
    }
}
