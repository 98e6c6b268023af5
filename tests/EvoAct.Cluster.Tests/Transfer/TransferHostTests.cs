using Akka.TestKit.Xunit2;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Tests.Actors;
using EvoAct.Cluster.Transfer;

namespace EvoAct.Cluster.Tests.Transfer;

/// <summary>`evoact transfer`'s host with fake trainers, resuming a transfer that was stopped part way.</summary>
public sealed class TransferHostTests : IDisposable
{
    readonly string dir = RunFixture.TempDir();
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task A_resumed_transfer_trains_only_the_jobs_not_done_and_reports_every_job()
    {
        var s = RunFixture.Settings(dir, "src", extra: "trainers.slots=2");
        var plan = new TransferPlan("src", "smoke",
            new[] { "relu(x)", "x * sigmoid(beta * x)", "tanh(x)" }.SelectMany(a => new[] { 0, 1 }.Select(seed => (a, seed)))
                .Select((j, i) => new TransferJob(i, j.a, j.seed)).ToArray(),
            s.Plan.Training);

        // The first host: jobs 2 and 5 finish (by a "trainer" of the test's), then it stops.
        using (var kit = new ActorKit(RunFixture.AkkaConfig(s)))
        {
            var owner = kit.CreateTestProbe();
            var transfer = kit.Sys.ActorOf(TransferActor.Props("transfer-h", plan, owner, TimeSpan.FromHours(1)));
            owner.ExpectMsg<RunReady>(Wait);
            var trainer = kit.CreateTestProbe();
            foreach (var id in new[] { 2, 5 })
                transfer.Tell(new WorkResult(id, "first", "completed", 0.5, null, 1, 0.125, plan.Jobs[id].Activation), trainer);
            transfer.Tell(SubscribeProgress.Instance, trainer);
            trainer.FishForMessage<TransferProgress>(p => p.Done == 2, Wait);
            // written asynchronously: wait until a second reader sees both
            kit.AwaitAssert(() => Assert.Equal(2, Read(s, plan).Count), Wait, TimeSpan.FromMilliseconds(200));
        }

        RunReady? ready = null;
        var outcome = await TransferHost.RunAsync(s, "transfer-h", plan, r => ready = r, _ => { }, _ => { }, CancellationToken.None);
        Assert.Equal((true, 2), (ready!.Resumed, ready.Evaluations));
        Assert.False(outcome.Interrupted);
        var results = outcome.Final!.Results;
        Assert.Equal(Enumerable.Range(0, 6), results.Select(r => r.Job));
        Assert.All(results, r =>
        {
            if (r.Job is 2 or 5) Assert.Equal(("first", 0.125), (r.Worker, r.TestAccuracy!.Value));
            else Assert.StartsWith($"{Environment.MachineName}/", r.Worker);
            Assert.Equal("completed", r.Status);
        });
        // Fake trainers give a test accuracy, so the table has every run.
        Assert.All(TransferReport.Rows(plan, results.ToDictionary(r => r.Job)), row => Assert.Equal((2, 0), (row.TestAccuracies.Count, row.Failed)));
    }

    /// <summary>The jobs done in the journal, as a second actor system reads them.</summary>
    static IReadOnlyDictionary<int, TransferJobDone> Read(Cluster.Configuration.RunSettings s, TransferPlan plan)
    {
        using var kit = new ActorKit(RunFixture.AkkaConfig(s));
        var owner = kit.CreateTestProbe();
        var transfer = kit.Sys.ActorOf(TransferActor.Props("transfer-h", plan, owner, TimeSpan.FromHours(1)));
        owner.ExpectMsg<RunReady>(Wait);
        transfer.Tell(SubscribeProgress.Instance, owner);
        return owner.ExpectMsg<TransferProgress>(Wait).Results.ToDictionary(r => r.Job);
    }
}
