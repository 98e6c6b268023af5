using Akka.Actor;
using Akka.TestKit.Xunit2;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.ReadSide;
using EvoAct.Cluster.Tests.Actors;

namespace EvoAct.Cluster.Tests.ReadSide;

public sealed class HistoryExportTests : TestKit, IDisposable
{
    static readonly string Dir = RunFixture.TempDir();
    static readonly Cluster.Configuration.RunSettings S = RunFixture.Settings(Dir, "export", maxEvaluations: 20,
        extra: ["search-space.unary=[x, neg, sqrt, sin, relu, sigmoid]", "search-space.binary=[add, mul, div, max]"]);

    public HistoryExportTests() : base(RunFixture.AkkaConfig(S)) { }

    IReadOnlyList<ExportRow> Run()
    {
        var owner = CreateTestProbe();
        var population = Sys.ActorOf(PopulationActor.Props(RunFixture.Options(S), owner));
        owner.ExpectMsg<RunReady>(TimeSpan.FromSeconds(20));
        Sys.ActorOf(TrainerActor.Props(population, "w,\"quoted\"", new FakeEvaluator(TimeSpan.Zero), CancellationToken.None));
        var watcher = CreateTestProbe();
        population.Tell(SubscribeProgress.Instance, watcher);
        watcher.FishForMessage<RunProgress>(p => p.Finished, TimeSpan.FromSeconds(60));
        return HistoryExport.Rows(RunFixture.Journal(S));
    }

    [Fact]
    public void Csv_and_json_round_trip_through_their_readers()
    {
        var rows = Run();
        Assert.True(rows.Count >= 20);
        // A small space with sqrt and div: rejected candidates (reason, no fitness) are part of the history too.
        Assert.Equal(rows, HistoryExport.FromCsv(HistoryExport.ToCsv(rows)));
        Assert.Equal(rows, HistoryExport.FromJson(HistoryExport.ToJson("export", rows)));
        Assert.Contains(rows, r => r.Worker == "w,\"quoted\"");
        Assert.All(rows, r => Assert.True(r.SettledAt >= r.ProposedAt));
    }

    [Fact]
    public void A_file_that_is_not_an_export_is_refused()
    {
        Assert.Throws<FormatException>(() => HistoryExport.FromCsv("a,b,c\n1,2,3\n"));
    }

    public new void Dispose()
    {
        base.Dispose();
    }
}
