using Akka.Actor;
using Akka.TestKit.Xunit2;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.Tests.Actors;

/// <summary>Multi-fidelity rungs through the population actor and real trainer actors, on SQLite and PostgreSQL.</summary>
public sealed class FidelityTests : IDisposable
{
    readonly string dir = RunFixture.TempDir();
    readonly string id = Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    static readonly string[] Rungs = ["evolution.fidelity.rungs=[0.25, 0.5, 1.0]", "evolution.fidelity.keep=0.5"];

    static (long Id, int Rung, bool Promoted)[] Decisions(RunState journal) =>
        RunState.OneByOne(journal.Events).OfType<RungReached>().Select(r => (r.Id, r.Rung, r.Promoted)).ToArray();

    public static TheoryData<string> Providers => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_decision_is_journaled_and_stopped_candidates_stay_out_of_the_population(string provider)
    {
        var s = RunFixture.Settings(dir, $"rungs-{id}", maxEvaluations: 40, provider: provider, extra: Rungs);
        var (kit, population, _) = RunFixture.StartPopulation(s);
        using (kit) RunFixture.RunToEnd(kit, population, trainers: 3);
        var journal = RunFixture.Journal(s);
        var ev = journal.Evolution!;
        var decisions = Decisions(journal);
        Assert.Contains(decisions, d => !d.Promoted);
        Assert.Contains(decisions, d => d.Promoted && d.Rung == 1);
        var stopped = ev.History.Where(e => e.Status == EvaluationStatus.Stopped).ToArray();
        Assert.Equal(decisions.Count(d => !d.Promoted), stopped.Length);
        Assert.All(stopped, e => Assert.Contains(e.Fraction, new[] { 0.25, 0.5 }));
        Assert.All(ev.Population, i => Assert.NotEqual(EvaluationStatus.Stopped, i.Evaluation.Status));
        // every completed candidate went through both rungs, promoted, in order
        foreach (var e in ev.History.Where(e => e.Status == EvaluationStatus.Completed))
            Assert.Equal([(e.Id, 0, true), (e.Id, 1, true)], decisions.Where(d => d.Id == e.Id));
        Assert.Equal(40, ev.Trained);
        // a rung's score is the fake landscape's fitness less 0.05 per missing share of the budget
        Assert.All(stopped, e => Assert.Equal(FakeEvaluator.Fitness(e.Proposal.Expression) - 0.05 * (1 - e.Fraction), e.Fitness!.Value, 9));
    }

    [Theory]
    [InlineData("sqlite", 1000)]
    [InlineData("sqlite", 7)]      // the promotion rule's scores come back from a snapshot
    [InlineData("postgres", 7)]
    public void A_resumed_run_makes_the_promotion_decisions_of_the_uninterrupted_one(string provider, int snapshotEvery)
    {
        var whole = RunFixture.Settings(Path.Combine(dir, "a"), $"whole-{id}", maxEvaluations: 30, snapshotEvery: snapshotEvery, provider: provider, extra: Rungs);
        var (k1, p1, _) = RunFixture.StartPopulation(whole);
        using (k1) RunFixture.RunToEnd(k1, p1, trainers: 1);

        var half = RunFixture.Settings(Path.Combine(dir, "b"), $"half-{id}", maxEvaluations: 13, snapshotEvery: snapshotEvery, provider: provider, extra: Rungs);
        var (k2, p2, _) = RunFixture.StartPopulation(half);
        using (k2) RunFixture.RunToEnd(k2, p2, trainers: 1);
        var rest = RunFixture.Settings(Path.Combine(dir, "b"), $"half-{id}", maxEvaluations: 30, snapshotEvery: snapshotEvery, provider: provider, extra: Rungs);
        var (k3, p3, _) = RunFixture.StartPopulation(rest);
        using (k3) RunFixture.RunToEnd(k3, p3, trainers: 1);

        var a = RunFixture.Journal(whole);
        var b = RunFixture.Journal(rest);
        Assert.Equal(Decisions(a), Decisions(b));
        Assert.Equal(a.Evolution!.History.Select(e => (e.Id, e.Status, e.Fitness)), b.Evolution!.History.Select(e => (e.Id, e.Status, e.Fitness)));
    }

    [Fact]
    public void A_candidate_whose_trainer_is_lost_between_rungs_restarts_from_scratch_elsewhere_without_a_second_decision()
    {
        var s = RunFixture.Settings(dir, $"lost-{id}", maxEvaluations: 1, population: 1, sample: 1, extra: Rungs);
        var (kit, population, _) = RunFixture.StartPopulation(s);
        using (kit)
        {
            var first = kit.CreateTestProbe();
            first.Send(population, new RequestWork("first"));
            var work = first.ExpectMsg<Work>(TimeSpan.FromSeconds(10));
            Assert.Equal([0.25, 0.5, 1.0], work.Rungs);
            first.Send(population, new RungResult(work.Id, "first", 0, 0.5, 1, work.Expression));
            Assert.Equal(new RungDecision(work.Id, 0, true), first.ExpectMsg<RungDecision>(TimeSpan.FromSeconds(10)));
            first.Tell(PoisonPill.Instance); // lost while training towards rung 1

            // Asks until the population has heard of the loss (until then it has nothing to hand out), as a trainer does.
            var second = kit.CreateTestProbe();
            Work? again = null;
            for (var until = DateTime.UtcNow.AddSeconds(20); again is null && DateTime.UtcNow < until;)
            {
                second.Send(population, new RequestWork("second"));
                again = second.ExpectMsg<object>(TimeSpan.FromSeconds(10)) as Work;
                if (again is null) Thread.Sleep(50);
            }
            Assert.NotNull(again);
            Assert.Equal((work.Id, work.Expression), (again.Id, again.Expression));
            // from scratch: rung 0 again is answered from the journal, not decided twice
            second.Send(population, new RungResult(work.Id, "second", 0, 0.5, 1, work.Expression));
            Assert.Equal(new RungDecision(work.Id, 0, true), second.ExpectMsg<RungDecision>(TimeSpan.FromSeconds(10)));
            second.Send(population, new RungResult(work.Id, "second", 1, 0.6, 2, work.Expression));
            Assert.Equal(new RungDecision(work.Id, 1, true), second.ExpectMsg<RungDecision>(TimeSpan.FromSeconds(10)));
            second.Send(population, new WorkResult(work.Id, "second", "completed", 0.7, null, 3, Expression: work.Expression));
            second.ExpectMsg<ResultAccepted>(TimeSpan.FromSeconds(10));
            // a late rung of a settled candidate is told to stop
            var late = kit.CreateTestProbe();
            late.Send(population, new RungResult(work.Id, "late", 1, 0.6, 2, work.Expression));
            Assert.False(late.ExpectMsg<RungDecision>(TimeSpan.FromSeconds(10)).Continue);
        }
        var journal = RunFixture.Journal(s);
        Assert.Equal([(1L, 0, true), (1L, 1, true)], Decisions(journal));
        var e = Assert.Single(journal.Evolution!.History);
        Assert.Equal((EvaluationStatus.Completed, 0.7, "second"), (e.Status, e.Fitness!.Value, e.Worker));
    }
}
