using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Tests.Actors;

/// <summary>
/// A coordinator that stops with candidates in flight, and the one that recovers it: the candidates
/// go out again first, under the same ids and expressions, and the run then goes on exactly as if it
/// had never stopped. The trainers are test probes driven in a fixed order, so two runs can be
/// compared step by step.
/// </summary>
public sealed class PopulationRecoveryTests : IDisposable
{
    readonly string dir = RunFixture.TempDir();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    const int Max = 24, SettledBeforeStop = 10, InFlightAtStop = 3;
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The population's next answer to a request, past the <see cref="ResultAccepted"/> it sends for
    /// an earlier result once that is durable (a real trainer stops resending it then).
    /// </summary>
    static object NextAnswer(TestProbe trainer) => trainer.FishForMessage(m => m is not ResultAccepted, Wait);

    static Work Take(IActorRef population, TestProbe trainer, string workerId)
    {
        population.Tell(new RequestWork(workerId), trainer);
        var answer = NextAnswer(trainer);
        return Assert.IsType<Work>(answer);
    }

    static void Answer(IActorRef population, TestProbe trainer, string workerId, Work w) =>
        population.Tell(new WorkResult(w.Id, workerId, "completed", FakeEvaluator.Fitness(w.Expression), null, 0.01, null, w.Expression), trainer);

    /// <summary>One trainer, request and answer in turn: the same sequence of decisions in every run.</summary>
    static void Drive(IActorRef population, TestProbe trainer, int evaluations)
    {
        for (int i = 0; i < evaluations; i++) Answer(population, trainer, "one", Take(population, trainer, "one"));
    }

    static void DriveToEnd(IActorRef population, TestProbe trainer)
    {
        while (true)
        {
            population.Tell(new RequestWork("one"), trainer);
            switch (NextAnswer(trainer))
            {
                case Work w: Answer(population, trainer, "one", w); break;
                case NoWork { Finished: true }:
                    // NoWork goes out at once; "finished" in a progress report only once every event is written.
                    population.Tell(SubscribeProgress.Instance, trainer);
                    trainer.FishForMessage<RunProgress>(p => p.Finished, Wait);
                    return;
                case var other: throw new Xunit.Sdk.XunitException($"unexpected {other}");
            }
        }
    }

    static (long Id, string Genome, string Status, double? Fitness)[] History(Cluster.Configuration.RunSettings s) =>
        RunFixture.Journal(s).Evolution!.History.Select(e => (e.Id, e.Proposal.Genome.Encode(), e.Status.ToString(), e.Fitness)).ToArray();

    static long LastSequenceNr(string dir, string table)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dir, "evoact.db")}");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT COALESCE(MAX(sequence_number), 0) FROM {table}";
        return (long)cmd.ExecuteScalar()!;
    }

    [Theory]
    [InlineData(1000)] // from the events alone
    [InlineData(1)]    // from a snapshot taken after the last event: the in-flight candidates are the snapshot's
    [InlineData(4)]    // from a snapshot and the events after it
    public async Task Candidates_in_flight_are_dispatched_again_first_and_the_run_goes_on_as_if_uninterrupted(int snapshotEvery)
    {
        var whole = RunFixture.Settings(Path.Combine(dir, "whole"), "r", maxEvaluations: Max, snapshotEvery: snapshotEvery);
        var (k1, p1, _) = RunFixture.StartPopulation(whole);
        using (k1)
        {
            var trainer = k1.CreateTestProbe();
            Drive(p1, trainer, SettledBeforeStop);
            var works = Enumerable.Range(0, InFlightAtStop).Select(i => (Probe: k1.CreateTestProbe(), Id: $"t{i}")).Select(t => (t, Take(p1, t.Probe, t.Id))).ToArray();
            foreach (var (t, w) in works) Answer(p1, t.Probe, t.Id, w);
            DriveToEnd(p1, trainer);
        }

        var broken = RunFixture.Settings(Path.Combine(dir, "broken"), "r", maxEvaluations: Max, snapshotEvery: snapshotEvery);
        Work[] lost;
        var (k2, p2, _) = RunFixture.StartPopulation(broken);
        using (k2)
        {
            Drive(p2, k2.CreateTestProbe(), SettledBeforeStop);
            lost = Enumerable.Range(0, InFlightAtStop).Select(i => Take(p2, k2.CreateTestProbe(), $"t{i}")).ToArray();
            // Stop only once the journal (and, where one is due, the snapshot) holds the candidates in flight.
            k2.AwaitAssert(() => Assert.Equal(lost.Select(w => w.Id).Order(), RunFixture.Journal(broken).Evolution!.InFlight.Select(p => p.Id).Order()),
                           Wait, TimeSpan.FromMilliseconds(200));
            if (snapshotEvery == 1)
                k2.AwaitAssert(() => Assert.Equal(LastSequenceNr(broken.DataDirectory, "journal"), LastSequenceNr(broken.DataDirectory, "snapshot")),
                               Wait, TimeSpan.FromMilliseconds(200));
        }
        if (snapshotEvery < 1000) Assert.True(LastSequenceNr(broken.DataDirectory, "snapshot") > 0, "a snapshot was written");

        var (k3, p3, ready) = RunFixture.StartPopulation(broken);
        using (k3)
        {
            Assert.True(ready.Resumed);
            Assert.Equal(SettledBeforeStop, ready.Evaluations);
            var progress = await p3.Ask<RunProgress>(GetProgress.Instance, Wait);
            Assert.Equal(InFlightAtStop, progress.InFlight);
            // The first requests get the candidates that were in flight, in id order, unchanged.
            var trainers = Enumerable.Range(0, InFlightAtStop).Select(i => (Probe: k3.CreateTestProbe(), Id: $"t{i}")).ToArray();
            var again = trainers.Select(t => Take(p3, t.Probe, t.Id)).ToArray();
            Assert.Equal(lost.Select(w => (w.Id, w.Expression)), again.Select(w => (w.Id, w.Expression)));
            for (int i = 0; i < InFlightAtStop; i++) Answer(p3, trainers[i].Probe, trainers[i].Id, again[i]);
            DriveToEnd(p3, k3.CreateTestProbe());
        }

        var expected = History(whole);
        Assert.Equal(Max, expected.Count(e => e.Status == "Completed"));
        Assert.Equal(expected, History(broken));
    }

    [Fact]
    public async Task A_repeated_request_from_the_same_trainer_gets_the_same_candidate()
    {
        var s = RunFixture.Settings(dir, "again", maxEvaluations: 5);
        var (kit, population, _) = RunFixture.StartPopulation(s);
        using (kit)
        {
            var trainer = kit.CreateTestProbe();
            var first = Take(population, trainer, "t");
            var second = Take(population, trainer, "t");
            Assert.Equal((first.Id, first.Expression), (second.Id, second.Expression));
            // Another trainer gets another candidate; the first is still in flight once.
            var other = Take(population, kit.CreateTestProbe(), "u");
            Assert.NotEqual(first.Id, other.Id);
            var p = await population.Ask<RunProgress>(GetProgress.Instance, Wait);
            Assert.Equal(2, p.InFlight);
        }
    }
}
