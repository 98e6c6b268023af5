using EvoAct.Cluster.ReadSide;
using EvoAct.Cluster.Tables;
using EvoAct.Cluster.Tests.Actors;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Tests.Tables;

public sealed class SearchBenchmarkTests
{
    static SearchBenchmark.Options Options(string[] strategies, int seeds, int budget) =>
        new(TableFixture.Path, strategies, seeds, budget, null, null, ["evolution.population-size=10", "evolution.sample-size=3", "trainers.table-time-scale=0"],
            Parallel: 4, ScratchDirectory: RunFixture.TempDir());

    [Fact]
    public void Replays_run_through_the_coordinator_and_are_judged_on_the_table()
    {
        var table = TableFixture.Table;
        var summaries = SearchBenchmark.RunAsync(Options(["regularized", "random"], seeds: 3, budget: 30), table).GetAwaiter().GetResult();
        Assert.Equal(["regularized", "random"], summaries.Select(s => s.Strategy));
        foreach (var s in summaries)
        {
            Assert.Equal(3, s.Replays.Count);
            Assert.Equal([0UL, 1UL, 2UL], s.Replays.Select(r => r.Seed).Order());
            foreach (var r in s.Replays)
            {
                Assert.Equal(30, r.Trainings);
                Assert.Equal(30, r.BestTrueFitness.Count);
                var found = r.BestTrueFitness.Where(double.IsFinite).ToArray();
                Assert.Equal(found.Order(), found); // best-so-far never falls
                Assert.All(found, v => Assert.Contains(table.Functions, f => f.TrueFitness == v));
                Assert.InRange(r.FreeShare, 0, 1);
                if (r.TrainingsToTop1 is { } n) Assert.True(r.BestTrueFitness[n - 1] >= table.TopThreshold(0.01) && (n == 1 || r.BestTrueFitness[n - 2] < table.TopThreshold(0.01) || double.IsNaN(r.BestTrueFitness[n - 2])));
            }
            Assert.Equal(StrategySummary.Quantile(s.Replays.Select(r => (double)(r.TrainingsToTop1 ?? 30)).ToArray(), 0.5), s.MedianTrainingsToTop1);
        }
    }

    [Fact]
    public void A_replay_is_reproducible_from_its_seed()
    {
        var table = TableFixture.Table;
        SearchReplay Once() => SearchBenchmark.RunAsync(Options(["regularized"], seeds: 1, budget: 25), table).GetAwaiter().GetResult()[0].Replays[0];
        var (a, b) = (Once(), Once());
        Assert.Equal(a.BestTrueFitness, b.BestTrueFitness);
        Assert.Equal((a.TrainingsToTop1, a.Proposals, a.Free, a.ReturnedTrueFitness), (b.TrainingsToTop1, b.Proposals, b.Free, b.ReturnedTrueFitness));
    }

    [Fact]
    public void Exports_with_seeds_and_curves_round_trip_through_their_readers()
    {
        var curve = new[] { new CurvePoint(0.5, 10, 0.625, 1.5), new CurvePoint(1.0, 20, 0.75, double.PositiveInfinity) };
        var rows = TableFixture.Rows.Select((r, i) => i % 3 == 0 ? r with { Curve = curve, Loss = 0.25 + i, TestAccuracy = 0.5 } : r).ToArray();
        Assert.Equal(rows, HistoryExport.FromCsv(HistoryExport.ToCsv(rows)));
        Assert.Equal(rows, HistoryExport.FromJson(HistoryExport.ToJson("t", rows)));
        Assert.NotEqual(rows, HistoryExport.FromCsv(HistoryExport.ToCsv(rows.Select(r => r with { Curve = r.Curve is null ? null : curve[..1] }))));
    }
}
