using System.Text.Json;

namespace EvoAct.Cli.Tests;

/// <summary>`evoact bench coordinator`: the measurement behind scripts/bench-coordinator.sh (its figures, not timed here).</summary>
public sealed class BenchCoordinatorTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-bench-coordinator").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Runs_the_budget_with_instant_trainers_and_reports_the_whole_run_and_its_steady_state()
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(90), "bench", "coordinator", "--data", dir, "--run", "b", "--trainers", "3",
                                  "--set", "evolution.max-evaluations=300", "--set", "evolution.population-size=20", "--set", "evolution.sample-size=5");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(300, root.GetProperty("evaluations").GetInt32());
        Assert.Equal(3, root.GetProperty("trainers").GetInt32());
        var whole = root.GetProperty("whole");
        var steady = root.GetProperty("steady");
        Assert.Equal(300, whole.GetProperty("evaluations").GetInt32()); // one dispatch per evaluation: nothing re-dispatched
        // README: "steady" leaves out the first 20% (the random initial population and the JIT warming up).
        Assert.Equal(240, steady.GetProperty("evaluations").GetInt32());
        foreach (var phase in new[] { whole, steady })
        {
            // The rate is that of the phase's own window: its evaluations over its seconds.
            double seconds = phase.GetProperty("seconds").GetDouble();
            Assert.True(seconds > 0);
            Assert.Equal(phase.GetProperty("evaluations").GetInt32() / seconds, phase.GetProperty("evaluations_per_second").GetDouble(), 1e-6 * (300 / seconds));
            double p50 = phase.GetProperty("dispatch_p50_ms").GetDouble(), p99 = phase.GetProperty("dispatch_p99_ms").GetDouble();
            Assert.InRange(p50, 0, p99);
            Assert.True(phase.GetProperty("cpu_ms_per_evaluation").GetDouble() > 0);
            Assert.True(phase.GetProperty("allocated_kb_per_evaluation").GetDouble() > 0);
        }
        Assert.True(steady.GetProperty("seconds").GetDouble() < whole.GetProperty("seconds").GetDouble());

        // the run is a real one: status reads it from the journal
        var status = EvoactProcess.Run("status", "--data", dir, "--run", "b", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        using var s = JsonDocument.Parse(status.Stdout);
        Assert.Equal(300, s.RootElement.GetProperty("completed").GetInt32());
    }
}
