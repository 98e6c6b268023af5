using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Tests.Actors;
using EvoAct.Cluster.Transfer;

namespace EvoAct.Cluster.Tests.Transfer;

/// <summary>A transfer on a real SQLite journal: what survives a stop, and what is trained again.</summary>
public sealed class TransferActorTests : IDisposable
{
    readonly string dir = RunFixture.TempDir();
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    Cluster.Configuration.RunSettings Settings => RunFixture.Settings(dir, "src");

    TransferPlan Plan(int runs = 3) => new("src", "smoke",
        new[] { "relu(x)", "x * sigmoid(beta * x)" }.SelectMany(a => Enumerable.Range(0, runs).Select(seed => (a, seed)))
            .Select((j, i) => new TransferJob(i, j.a, j.seed)).ToArray(),
        Settings.Plan.Training);

    (ActorKit Kit, IActorRef Transfer, RunReady Ready) Start(TransferPlan plan)
    {
        var kit = new ActorKit(RunFixture.AkkaConfig(Settings));
        var owner = kit.CreateTestProbe();
        var transfer = kit.Sys.ActorOf(TransferActor.Props("transfer-t", plan, owner, TimeSpan.FromHours(1)), "transfer");
        return (kit, transfer, owner.ExpectMsg<RunReady>(Wait));
    }

    /// <summary>The transfer's next answer to a request, past the <see cref="ResultAccepted"/> it sends for an earlier, durable result.</summary>
    static object NextAnswer(TestProbe trainer) => trainer.FishForMessage(m => m is not ResultAccepted, Wait);

    static Work Take(IActorRef transfer, TestProbe trainer)
    {
        transfer.Tell(new RequestWork("w"), trainer);
        return Assert.IsType<Work>(NextAnswer(trainer));
    }

    static void Answer(IActorRef transfer, TestProbe trainer, Work w, string worker) =>
        transfer.Tell(new WorkResult(w.Id, worker, "completed", 0.5, null, 1, 0.25 + w.Id / 100.0, w.Expression), trainer);

    [Fact]
    public void An_outcome_outside_the_closed_set_is_journaled_as_a_failure_that_names_it_and_a_proxy_job_asks_no_test_set()
    {
        var training = Settings.Plan.Training;
        var plan = new TransferPlan("src", "smoke", [new TransferJob(0, "relu(x)", 0, OnProxy: true), new TransferJob(1, "relu(x)", 0)], training,
                                    training with { Steps = 7 }, "tiny");
        var (kit, transfer, _) = Start(plan);
        using (kit)
        {
            var trainer = kit.CreateTestProbe();
            var proxy = Take(transfer, trainer);
            Assert.Equal((false, 7), (proxy.Test, proxy.Training.Steps));
            transfer.Tell(new WorkResult(proxy.Id, "w", "3", 0.9, null, 1, 0.8, proxy.Expression), trainer);
            var target = Take(transfer, trainer);
            Assert.Equal((true, training.Steps), (target.Test, target.Training.Steps));
            Answer(transfer, trainer, target, "w");
            transfer.Tell(SubscribeProgress.Instance, trainer);
            var done = trainer.FishForMessage<TransferProgress>(p => p.Finished, Wait).Results;
            Assert.Equal(("failed", "trainer reported an unknown outcome '3'"), (done[0].Status, done[0].Reason));
            Assert.Null(done[0].ValidationAccuracy);
            Assert.Null(done[0].TestAccuracy);
            Assert.Equal("completed", done[1].Status);
        }
    }

    [Fact]
    public void After_a_stop_only_the_unfinished_jobs_are_trained_again_and_finished_ones_keep_their_results()
    {
        var plan = Plan();
        var (k1, t1, ready) = Start(plan);
        HashSet<long> doneBefore;
        using (k1)
        {
            Assert.False(ready.Resumed);
            var trainer = k1.CreateTestProbe();
            var works = Enumerable.Range(0, 4).Select(_ => Take(t1, k1.CreateTestProbe())).ToArray();
            // Every job goes out once, seed by seed across the activations (relu 0, swish 0, relu 1, swish 1),
            // with the seed offset and the test set asked for.
            Assert.Equal([0L, 3, 1, 4], works.Select(w => w.Id));
            Assert.All(works, w => Assert.True(w.Test));
            Assert.Equal(plan.Training.Seed + 1, works[2].Training.Seed);
            Assert.Equal("x * sigmoid(beta * x)", works[3].Expression);
            Answer(t1, trainer, works[1], "before");
            Answer(t1, trainer, works[3], "before");
            doneBefore = [3, 4];
            // Stop once both results are durable (the journal: TransferStarted and two TransferJobDone).
            t1.Tell(SubscribeProgress.Instance, trainer);
            trainer.FishForMessage<TransferProgress>(p => p.Done == 2, Wait);
            k1.AwaitAssert(() => Assert.Equal(3, JournalRows("transfer-t")), Wait, TimeSpan.FromMilliseconds(200));
        }

        var (k2, t2, again) = Start(plan);
        using (k2)
        {
            Assert.True(again.Resumed);
            Assert.Equal(2, again.Evaluations);
            var trainer = k2.CreateTestProbe();
            var handedOut = new List<long>();
            while (true)
            {
                t2.Tell(new RequestWork("w"), trainer);
                var answer = NextAnswer(trainer);
                if (answer is NoWork { Finished: true }) break;
                var w = Assert.IsType<Work>(answer);
                handedOut.Add(w.Id);
                Answer(t2, trainer, w, "after");
            }
            Assert.Equal(new long[] { 0, 1, 2, 5 }, handedOut); // the rest, lowest seed first
            t2.Tell(SubscribeProgress.Instance, trainer);
            var final = trainer.FishForMessage<TransferProgress>(p => p.Finished, Wait);
            Assert.Equal(6, final.Results.Count);
            Assert.All(final.Results, r => Assert.Equal(doneBefore.Contains(r.Job) ? "before" : "after", r.Worker));
            // A late duplicate for a finished job changes nothing.
            t2.Tell(new WorkResult(3, "late", "completed", 0.9, null, 1, 0.99, "x * sigmoid(beta * x)"), trainer);
            t2.Tell(SubscribeProgress.Instance, trainer);
            var still = trainer.FishForMessage<TransferProgress>(_ => true, Wait);
            Assert.Equal("before", still.Results.Single(r => r.Job == 3).Worker);
        }
    }

    [Fact]
    public void A_transfer_resumed_with_other_seeds_is_refused_and_nothing_is_written()
    {
        var (k1, _, _) = Start(Plan(runs: 3));
        using (k1) k1.AwaitAssert(() => Assert.Equal(1, JournalRows("transfer-t")), Wait, TimeSpan.FromMilliseconds(200));
        var (k2, _, ready) = Start(Plan(runs: 2));
        using (k2) Assert.StartsWith("refusing to resume transfer 'transfer-t'", ready.Refusal);
        Assert.Equal(1, JournalRows("transfer-t"));
    }

    long JournalRows(string persistenceId)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dir, "evoact.db")}");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM journal WHERE persistence_id = $id";
        cmd.Parameters.AddWithValue("$id", persistenceId);
        return (long)cmd.ExecuteScalar()!;
    }
}
