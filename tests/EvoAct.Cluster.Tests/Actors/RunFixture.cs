using Akka.Actor;
using Akka.TestKit.Xunit2;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Messages;
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

    /// <summary>The population actor of <paramref name="s"/> on an actor system of its own, once ready.</summary>
    public static (ActorKit Kit, IActorRef Population, RunReady Ready) StartPopulation(RunSettings s)
    {
        var kit = new ActorKit(AkkaConfig(s));
        var owner = kit.CreateTestProbe();
        var population = kit.Sys.ActorOf(PopulationActor.Props(Options(s), owner), "population");
        var ready = owner.ExpectMsg<RunReady>(TimeSpan.FromSeconds(20));
        return (kit, population, ready);
    }

    /// <summary>Fake trainers (1 ms each) until the run has spent its budget; its last progress.</summary>
    public static RunProgress RunToEnd(ActorKit kit, IActorRef population, int trainers)
    {
        for (int i = 0; i < trainers; i++)
            kit.Sys.ActorOf(TrainerActor.Props(population, $"fake-{i}", new FakeEvaluator(TimeSpan.FromMilliseconds(1)), CancellationToken.None));
        var watcher = kit.CreateTestProbe();
        population.Tell(SubscribeProgress.Instance, watcher);
        return watcher.FishForMessage<RunProgress>(p => p.Finished, TimeSpan.FromSeconds(60));
    }
}

/// <summary>A test kit on a given Akka config (a run's journal), for tests that start and stop several actor systems.</summary>
public sealed class ActorKit(Akka.Configuration.Config config) : TestKit(config);
