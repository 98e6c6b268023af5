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
