using Akka.Actor;
using Akka.TestKit.Xunit2;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.Serialization;

namespace EvoAct.Cluster.Tests.Actors;

/// <summary>
/// Every snapshot holds exactly the journal's prefix up to its sequence number: folding those events
/// gives the same state. A snapshot that captured an event the journal does not have (or missed one
/// it does) would make a recovered run differ from the journal that `status` and `export` read.
/// </summary>
public sealed class PopulationSnapshotTests : IDisposable
{
    readonly string dir = RunFixture.TempDir();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>What a snapshot decides the future by, without the capture times.</summary>
    static string Essence(RunStateSnapshot s) => string.Join(" | ",
        $"trained {s.Trained}, next {s.NextId}, rng {s.RngState}, initial {s.InitialProposed}, free {s.FreeInARow}",
        "population " + string.Join(",", s.Population.Select(i => $"{i.Evaluation.Proposal.Id}:{i.Fitness:R}")),
        "in flight " + string.Join(",", s.InFlight.Select(p => $"{p.Id}:{p.Expression}")),
        "counts " + string.Join(",", s.Counts.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}")),
        "cache " + string.Join(",", s.FitnessByFingerprint.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value:R}")),
        $"best {s.Best?.Proposal.Id}");

    [Fact]
    public void Every_snapshot_equals_the_fold_of_the_journal_up_to_its_sequence_number()
    {
        var s = RunFixture.Settings(dir, "snap", maxEvaluations: 30, population: 6, sample: 2, snapshotEvery: 1);
        List<(long Seq, byte[] Bytes, string Manifest)> snapshots;
        using (var kit = new ActorKit(RunFixture.AkkaConfig(s)))
        {
            var owner = kit.CreateTestProbe();
            var population = kit.Sys.ActorOf(PopulationActor.Props(RunFixture.Options(s), owner), "population");
            owner.ExpectMsg<RunReady>(TimeSpan.FromSeconds(20));
            // Several trainers, so proposals, batches of free ones and results interleave.
            for (int i = 0; i < 3; i++)
                kit.Sys.ActorOf(TrainerActor.Props(population, $"fake-{i}", new FakeEvaluator(TimeSpan.FromMilliseconds(2)), CancellationToken.None));
            population.Tell(SubscribeProgress.Instance, owner);
            owner.FishForMessage<RunProgress>(p => p.Finished, TimeSpan.FromSeconds(60));
            var events = RunFixture.Journal(s).Events.Count;
            // Snapshots are saved after their event is durable: wait for the last one.
            kit.AwaitAssert(() => Assert.Equal(events, Snapshots().Max(x => x.Seq)), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
            snapshots = Snapshots();

            var serializer = new EvoActSerializer((ExtendedActorSystem)kit.Sys);
            var journal = RunFixture.Journal(s).Events;
            Assert.True(snapshots.Count >= journal.Count / 2, $"{snapshots.Count} snapshots for {journal.Count} events");
            foreach (var (seq, bytes, manifest) in snapshots)
            {
                var stored = (RunStateSnapshot)serializer.FromBinary(bytes, manifest);
                var fold = new RunState(keepHistory: false);
                foreach (var e in journal.Take((int)seq)) fold.Apply(e);
                Assert.Equal(Essence(fold.Snapshot(DateTime.UnixEpoch)), Essence(stored));
            }
        }
    }

    List<(long Seq, byte[] Bytes, string Manifest)> Snapshots()
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dir, "evoact.db")}");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT sequence_number, snapshot, manifest FROM snapshot WHERE persistence_id = 'run-snap' ORDER BY sequence_number";
        using var r = cmd.ExecuteReader();
        var list = new List<(long, byte[], string)>();
        while (r.Read()) list.Add((r.GetInt64(0), (byte[])r[1], r.GetString(2)));
        return list;
    }
}
