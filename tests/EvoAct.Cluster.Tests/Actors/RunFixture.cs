using Akka.Actor;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Persistence;

namespace EvoAct.Cluster.Tests.Actors;

/// <summary>A run's settings on a fresh SQLite file, with fake trainers (coordinator tests only).</summary>
public static class RunFixture
{
    /// <summary>
    /// The PostgreSQL server the tests use: EVOACT_TEST_POSTGRES, else the one scripts/test.sh starts
    /// (Debian's cluster on 127.0.0.1:5432 with role and database evoact).
    /// </summary>
    public static string PostgresConnection =>
        Environment.GetEnvironmentVariable("EVOACT_TEST_POSTGRES") is { Length: > 0 } c ? c
            : "Host=127.0.0.1;Port=5432;Username=evoact;Password=evoact;Database=evoact";

    public static RunSettings Settings(string dataDir, string run = "t", int maxEvaluations = 30, int population = 8, int sample = 3,
                                       int snapshotEvery = 1000, string timeout = "1h", string provider = "sqlite", params string[] extra)
    {
        var sets = new List<string>
        {
            $"evolution.max-evaluations={maxEvaluations}", $"evolution.population-size={population}", $"evolution.sample-size={sample}",
            $"run.snapshot-every={snapshotEvery}", $"run.evaluation-timeout={timeout}", "run.progress-interval=100ms",
            "trainers.kind=fake", "trainers.fake-delay=1ms",
        };
        if (provider == "postgres")
        {
            sets.Add("persistence.provider=postgres");
            sets.Add($"persistence.connection-string=\"{PostgresConnection}\"");
        }
        sets.AddRange(extra);
        return RunSettings.Read(new ConfigReader(EvoActConfig.Load(null, null, sets)), dataDir, run);
    }

    public static PopulationOptions Options(RunSettings s) => new(s.Name, s.Plan, s.SnapshotEvery, s.EvaluationTimeout, s.ProgressInterval);

    public static Akka.Configuration.Config AkkaConfig(RunSettings s) => AkkaSetup.Build(s.Persistence, s.DataDirectory);

    public static RunState Journal(RunSettings s) =>
        JournalReader.ReadAsync(s.Persistence, s.DataDirectory, s.Name).GetAwaiter().GetResult() ?? throw new InvalidOperationException("no run in the journal");

    public static string TempDir() => Directory.CreateTempSubdirectory("evoact-run").FullName;
}
