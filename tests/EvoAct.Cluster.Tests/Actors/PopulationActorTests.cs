using Akka.Actor;
using Akka.TestKit.Xunit2;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.Tests.Actors;

/// <summary>The population actor on a real SQLite journal, driven by test probes and fake trainers.</summary>
public sealed class PopulationActorTests : IDisposable
{
    readonly string dir = RunFixture.TempDir();
    // The journal is shared on PostgreSQL: every test gets runs of its own.
    readonly string id = Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    public static TheoryData<string> Providers => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Providers))]
    public void Runs_to_max_evaluations_with_several_trainers_and_the_journal_holds_every_evaluation_once(string provider)
    {
        var s = RunFixture.Settings(dir, $"full-{id}", maxEvaluations: 40, provider: provider);
        var (kit, population, ready) = RunFixture.StartPopulation(s);
        using (kit)
        {
            Assert.False(ready.Resumed);
            var final = RunFixture.RunToEnd(kit, population, trainers: 3);
            Assert.Equal(40, final.Trained);
            Assert.Equal(0, final.InFlight);
        }
        var journal = RunFixture.Journal(s);
        var ev = journal.Evolution!;
        Assert.Equal(40, ev.Trained);
        Assert.Equal(ev.History.Count, ev.History.Select(e => e.Id).Distinct().Count());
        Assert.Equal(3, ev.History.Where(e => e.Trained).Select(e => e.Worker).Distinct().Count());
    }

    [Theory]
    [InlineData("sqlite", 1000)]   // recovery from events alone
    [InlineData("sqlite", 7)]      // recovery from a snapshot plus the events after it
    [InlineData("postgres", 1000)]
    [InlineData("postgres", 7)]
    public void Recovers_the_same_state_from_the_journal(string provider, int snapshotEvery)
    {
        var s = RunFixture.Settings(dir, $"recover-{id}", maxEvaluations: 25, snapshotEvery: snapshotEvery, provider: provider);
        var (kit, population, _) = RunFixture.StartPopulation(s);
        using (kit) RunFixture.RunToEnd(kit, population, trainers: 1);
        var expected = RunFixture.Journal(s).Evolution!;

        var (kit2, population2, ready) = RunFixture.StartPopulation(s);
        using (kit2)
        {
            Assert.True(ready.Resumed);
            Assert.Equal(25, ready.Evaluations);
            var p = population2.Ask<RunProgress>(GetProgress.Instance, TimeSpan.FromSeconds(10)).Result;
            Assert.Equal(expected.Trained, p.Trained);
            Assert.Equal(expected.Best!.Fitness, p.BestFitness);
            Assert.True(p.Finished);
        }
        if (snapshotEvery < 25 && provider == "sqlite")
        {
            using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dir, "evoact.db")}");
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM snapshot";
            Assert.True((long)cmd.ExecuteScalar()! > 0, "a snapshot was written");
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_resumed_run_proposes_what_the_uninterrupted_run_would_have(string provider)
    {
        var whole = RunFixture.Settings(Path.Combine(dir, "a"), $"whole-{id}", maxEvaluations: 30, provider: provider);
        var (k1, p1, _) = RunFixture.StartPopulation(whole);
        using (k1) RunFixture.RunToEnd(k1, p1, trainers: 1);

        var half = RunFixture.Settings(Path.Combine(dir, "b"), $"half-{id}", maxEvaluations: 14, provider: provider);
        var (k2, p2, _) = RunFixture.StartPopulation(half);
        using (k2) RunFixture.RunToEnd(k2, p2, trainers: 1);
        var rest = RunFixture.Settings(Path.Combine(dir, "b"), $"half-{id}", maxEvaluations: 30, provider: provider);
        var (k3, p3, ready) = RunFixture.StartPopulation(rest);
        using (k3)
        {
            Assert.Equal(["max-evaluations: 14 -> 30"], ready.Changes);
            RunFixture.RunToEnd(k3, p3, trainers: 1);
        }

        var a = RunFixture.Journal(whole).Evolution!.History.Select(e => (e.Id, e.Proposal.Genome.Encode(), e.Fitness)).ToArray();
        var b = RunFixture.Journal(rest).Evolution!.History.Select(e => (e.Id, e.Proposal.Genome.Encode(), e.Fitness)).ToArray();
        Assert.Equal(a, b);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Resuming_with_another_search_space_is_refused_and_writes_nothing(string provider)
    {
        var s = RunFixture.Settings(dir, $"refuse-{id}", maxEvaluations: 10, provider: provider);
        var (kit, population, _) = RunFixture.StartPopulation(s);
        using (kit) RunFixture.RunToEnd(kit, population, trainers: 1);
        int before = RunFixture.Journal(s).Events.Count;

        var other = RunFixture.Settings(dir, $"refuse-{id}", maxEvaluations: 10, provider: provider, extra: "search-space.core-units=1");
        var (kit2, _, ready) = RunFixture.StartPopulation(other);
        using (kit2)
        {
            Assert.NotNull(ready.Refusal);
            Assert.Contains("search space", ready.Refusal);
        }
        Assert.Equal(before, RunFixture.Journal(s).Events.Count);
    }

    [Fact]
    public void A_trainer_that_dies_has_its_candidate_trained_elsewhere_and_late_duplicates_are_ignored()
    {
        var s = RunFixture.Settings(dir, maxEvaluations: 12);
        var (kit, population, _) = RunFixture.StartPopulation(s);
        Work lost;
        using (kit)
        {
            var ghost = kit.CreateTestProbe();
            population.Tell(new RequestWork("ghost"), ghost);
            lost = ghost.ExpectMsg<Work>(TimeSpan.FromSeconds(10));
            kit.Sys.Stop(ghost);
            // The ghost's result arrives after its death was noticed: accepted only if still in flight, and only once.
            RunFixture.RunToEnd(kit, population, trainers: 1);
            population.Tell(new WorkResult(lost.Id, "ghost", "completed", 0.99, null, 1));
            population.Tell(new WorkResult(lost.Id, "ghost", "completed", 0.99, null, 1));
            var after = population.Ask<RunProgress>(GetProgress.Instance, TimeSpan.FromSeconds(10)).Result;
            Assert.Equal(12, after.Trained);
        }
        var history = RunFixture.Journal(s).Evolution!.History;
        var settled = history.Single(e => e.Id == lost.Id);
        Assert.Equal("fake-0", settled.Worker);
        Assert.NotEqual(0.99, settled.Fitness);
    }

    [Fact]
    public void Each_hand_out_is_journaled_with_its_trainer_and_device_while_it_trains_and_a_repeated_request_writes_none()
    {
        var s = RunFixture.Settings(dir, maxEvaluations: 12);
        var (kit, population, _) = RunFixture.StartPopulation(s);
        Work first;
        using (kit)
        {
            var gpu = kit.CreateTestProbe();
            population.Tell(new RequestWork("gpu-node/0", "cuda:1"), gpu);
            first = gpu.ExpectMsg<Work>(TimeSpan.FromSeconds(10));
            population.Tell(new RequestWork("gpu-node/0", "cuda:1"), gpu); // its answer was lost: it asks again
            Assert.Equal(first.Id, gpu.ExpectMsg<Work>(TimeSpan.FromSeconds(10)).Id);
            // While it trains, the journal already says who trains it, and on what.
            kit.AwaitAssert(() =>
            {
                var d = RunFixture.Journal(s).Dispatched[first.Id];
                Assert.Equal(("gpu-node/0", "cuda:1"), (d.Worker, d.Device));
            }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
            kit.Sys.Stop(gpu);
            RunFixture.RunToEnd(kit, population, trainers: 1); // fake-0 names no device: the run's
        }
        var journal = RunFixture.Journal(s);
        var handOuts = journal.Events.OfType<CandidateDispatched>().ToArray();
        // Two for the lost one (the repeated request wrote none), one for each other candidate trained.
        Assert.Equal([("gpu-node/0", "cuda:1"), ("fake-0", "cpu")], handOuts.Where(d => d.Id == first.Id).Select(d => (d.Worker, d.Device)));
        var trained = journal.Evolution!.History.Where(e => e.Trained).ToArray();
        Assert.Equal(trained.Length + 1, handOuts.Length);
        Assert.All(trained, e => Assert.Equal(e.Worker, journal.Dispatched[e.Id].Worker));
        Assert.All(trained, e => Assert.True(journal.Dispatched[e.Id].At <= journal.SettledAt[e.Id]));
    }

    [Fact]
    public void A_result_for_another_candidate_under_the_same_id_is_not_credited()
    {
        // Candidates go out before their proposal is durable; a coordinator restarted with other mutation
        // settings may reuse an id for another genome, so a stale result must not be taken for it.
        var s = RunFixture.Settings(dir, maxEvaluations: 3);
        var (kit, population, _) = RunFixture.StartPopulation(s);
        using (kit)
        {
            var trainer = kit.CreateTestProbe();
            population.Tell(new RequestWork("t"), trainer);
            var work = trainer.ExpectMsg<Work>(TimeSpan.FromSeconds(10));
            var stranger = work.Expression == "relu(x)" ? "tanh(x)" : "relu(x)";
            population.Tell(new WorkResult(work.Id, "t", "completed", 0.99, null, 1, null, stranger));
            var p = population.Ask<RunProgress>(GetProgress.Instance, TimeSpan.FromSeconds(10)).Result;
            Assert.Equal((0, 1), (p.Trained, p.InFlight));
            population.Tell(new WorkResult(work.Id, "t", "completed", 0.5, null, 1, null, work.Expression));
            p = population.Ask<RunProgress>(GetProgress.Instance, TimeSpan.FromSeconds(10)).Result;
            Assert.Equal((1, 0), (p.Trained, p.InFlight));
            // the settlement is written asynchronously: wait for it in the journal while the run is live
            kit.AwaitAssert(() => Assert.Equal(0.5, RunFixture.Journal(s).Evolution!.History.Single(e => e.Trained).Fitness),
                            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Writes a snapshot of the first format (every event) for a run, as EvoAct did before compact snapshots.</summary>
    sealed class LegacySnapshotWriter : Akka.Persistence.ReceivePersistentActor
    {
        readonly List<IRunEvent> events = new();
        public override string PersistenceId { get; }

        public LegacySnapshotWriter(string persistenceId, IActorRef report)
        {
            PersistenceId = persistenceId;
            Recover<IRunEvent>(e => events.Add(e));
            Recover<Akka.Persistence.RecoveryCompleted>(_ => SaveSnapshot(new RunSnapshot(Schema.Version, events.ToArray())));
            Command<Akka.Persistence.SaveSnapshotSuccess>(ok => report.Tell(ok.Metadata.SequenceNr));
        }
    }

    [Fact]
    public void A_run_with_a_snapshot_of_the_first_format_resumes()
    {
        var s = RunFixture.Settings(dir, $"legacy-{id}", maxEvaluations: 8);
        var (kit, population, _) = RunFixture.StartPopulation(s);
        using (kit)
        {
            RunFixture.RunToEnd(kit, population, trainers: 2);
            var report = kit.CreateTestProbe();
            kit.Sys.ActorOf(Props.Create(() => new LegacySnapshotWriter(PopulationActor.PersistenceIdOf(s.Name), report.Ref)));
            Assert.True(report.ExpectMsg<long>(TimeSpan.FromSeconds(20)) > 8);
        }
        var more = RunFixture.Settings(dir, $"legacy-{id}", maxEvaluations: 14);
        var (kit2, population2, ready) = RunFixture.StartPopulation(more);
        using (kit2)
        {
            Assert.True(ready.Resumed);
            Assert.Equal(8, ready.Evaluations);
            Assert.Equal(14, RunFixture.RunToEnd(kit2, population2, trainers: 2).Trained);
        }
        var history = RunFixture.Journal(more).Evolution!.History;
        Assert.Equal(14, history.Count(e => e.Trained));
        Assert.Equal(history.Count, history.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void An_evaluation_past_its_timeout_is_handed_to_another_trainer()
    {
        var s = RunFixture.Settings(dir, maxEvaluations: 5, timeout: "300ms");
        var (kit, population, _) = RunFixture.StartPopulation(s);
        using (kit)
        {
            var slow = kit.CreateTestProbe();
            population.Tell(new RequestWork("slow"), slow);
            var work = slow.ExpectMsg<Work>(TimeSpan.FromSeconds(10));
            var other = kit.CreateTestProbe();
            kit.AwaitAssert(() =>
            {
                population.Tell(new RequestWork("other"), other);
                var again = other.ExpectMsg<Work>(TimeSpan.FromSeconds(2));
                Assert.Equal(work.Id, again.Id);
            }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(400));
        }
    }

    [Theory]
    [InlineData("3")]
    [InlineData("Completed")]
    [InlineData("rejected")]   // a status, but not one a training can have
    public async Task A_result_with_an_outcome_outside_the_protocol_is_settled_as_failed_naming_it(string status)
    {
        var s = RunFixture.Settings(dir, maxEvaluations: 3);
        var (kit, population, _) = RunFixture.StartPopulation(s);
        using (kit)
        {
            var trainer = kit.CreateTestProbe();
            population.Tell(new RequestWork("t"), trainer);
            var work = trainer.ExpectMsg<Work>(TimeSpan.FromSeconds(10));
            population.Tell(new WorkResult(work.Id, "t", status, 0.99, null, 1, null, work.Expression), trainer);
            var p = await population.Ask<RunProgress>(GetProgress.Instance, TimeSpan.FromSeconds(10));
            Assert.Equal((1, 1, 0, 0), (p.Trained, p.Failed, p.Completed, p.InFlight));
            kit.AwaitAssert(() =>
            {
                var e = RunFixture.Journal(s).Evolution!.History.Single(x => x.Id == work.Id);
                Assert.Equal((EvaluationStatus.Failed, (double?)null, $"trainer reported an unknown outcome '{status}'"), (e.Status, e.Fitness, e.Reason));
            }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
        }
    }
}
