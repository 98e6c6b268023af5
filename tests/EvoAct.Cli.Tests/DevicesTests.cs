using System.Text.Json;

namespace EvoAct.Cli.Tests;

/// <summary>`--devices`: a node's trainers, one per device, each evaluation recording the device that trained it.</summary>
public sealed class DevicesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-devices").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Cpu_2_runs_two_trainers_and_every_evaluation_records_its_device()
    {
        var run = EvoactProcess.Run(TimeSpan.FromMinutes(2), "run", "--data", dir, "--devices", "cpu:2", "--set", "trainers.kind=fake",
                                    "--set", "trainers.fake-delay=20ms", "--set", "evolution.max-evaluations=30", "--set", "evolution.population-size=8",
                                    "--set", "evolution.sample-size=2");
        Assert.True(run.ExitCode == 0, run.ToString());
        var export = EvoactProcess.Run("export", "--data", dir, "--format", "json");
        using var doc = JsonDocument.Parse(export.Stdout);
        var trained = doc.RootElement.GetProperty("evaluations").EnumerateArray().Where(e => e.GetProperty("status").GetString() == "completed").ToArray();
        Assert.Equal(30, trained.Length);
        Assert.All(trained, e => Assert.Equal("cpu", e.GetProperty("device").GetString()));
        Assert.Equal(2, trained.Select(e => e.GetProperty("worker").GetString()).Distinct().Count());
        var status = EvoactProcess.Run("status", "--data", dir, "--json");
        using var s = JsonDocument.Parse(status.Stdout);
        Assert.Equal("cpu", s.RootElement.GetProperty("best").GetProperty("device").GetString());
    }

    [Fact]
    public void A_worker_with_cpu_2_trains_on_two_slots_of_its_own_for_a_seed_that_trains_nothing()
    {
        int port = EvoactProcess.FreePort();
        var address = $"akka.tcp://evoact@127.0.0.1:{port}";
        string[] common = ["--set", "trainers.kind=fake", "--set", "trainers.fake-delay=50ms", "--set", "evolution.max-evaluations=24",
                           "--set", "evolution.population-size=8", "--set", "evolution.sample-size=2"];
        using var seed = EvoactProcess.Start(["seed", "--data", dir, "--run", "d", "--port", port.ToString(), "--set", $"cluster.seed-nodes=[\"{address}\"]", .. common]);
        using var worker = EvoactProcess.Start(["worker", "--seed-nodes", address, "--devices", "cpu:2", .. common]);
        Assert.Matches(@"^worker up at akka\.tcp://evoact@127\.0\.0\.1:\d+ with 2 trainer\(s\)$", worker.WaitForLine(l => l.StartsWith("worker up at"), TimeSpan.FromSeconds(120)));
        seed.WaitForLine(l => l.StartsWith("finished run d: 24 evaluations"), TimeSpan.FromSeconds(120));
        Assert.Equal(0, seed.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, worker.WaitForExit(TimeSpan.FromSeconds(60)));

        var export = EvoactProcess.Run("export", "--data", dir, "--run", "d", "--format", "json");
        using var doc = JsonDocument.Parse(export.Stdout);
        var trained = doc.RootElement.GetProperty("evaluations").EnumerateArray().Where(e => e.GetProperty("status").GetString() == "completed").ToArray();
        Assert.Equal(24, trained.Length);
        Assert.All(trained, e => Assert.Equal("cpu", e.GetProperty("device").GetString()));
        var workers = trained.Select(e => e.GetProperty("worker").GetString()!).Distinct().ToArray();
        Assert.Equal(2, workers.Length); // the worker's two slots, none on the seed
        Assert.Single(workers.Select(w => w[..w.LastIndexOf('/')]).Distinct());
    }

    [Fact]
    public void A_seed_trains_on_the_devices_its_config_names()
    {
        // No --devices, no --trainers: evoact.trainers.devices alone gives the seed its trainers (it used to be ignored).
        int port = EvoactProcess.FreePort();
        var address = $"akka.tcp://evoact@127.0.0.1:{port}";
        using var seed = EvoactProcess.Start(["seed", "--data", dir, "--run", "c", "--port", port.ToString(), "--set", $"cluster.seed-nodes=[\"{address}\"]",
                                              "--set", "trainers.devices=[\"cpu:2\"]", "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=20ms",
                                              "--set", "evolution.max-evaluations=16", "--set", "evolution.population-size=8", "--set", "evolution.sample-size=2"]);
        seed.WaitForLine(l => l.StartsWith("finished run c: 16 evaluations"), TimeSpan.FromSeconds(120));
        Assert.Equal(0, seed.WaitForExit(TimeSpan.FromSeconds(60)));
        var export = EvoactProcess.Run("export", "--data", dir, "--run", "c", "--format", "json");
        using var doc = JsonDocument.Parse(export.Stdout);
        var workers = doc.RootElement.GetProperty("evaluations").EnumerateArray().Where(e => e.GetProperty("status").GetString() == "completed")
                         .Select(e => e.GetProperty("worker").GetString()).Distinct().ToArray();
        Assert.Equal(2, workers.Length);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("worker")]
    public void A_device_that_is_none_is_one_line_and_exit_2(string command)
    {
        var r = command == "run" ? EvoactProcess.Run(command, "--devices", "tpu:0", "--data", dir) : EvoactProcess.Run(command, "--devices", "tpu:0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--devices: 'tpu:0' is not a device", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
