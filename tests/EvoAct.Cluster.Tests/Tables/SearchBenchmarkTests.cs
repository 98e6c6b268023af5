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
    public void The_speedup_over_random_is_the_ratio_of_medians_with_an_interval_over_paired_seeds()
    {
        static SearchReplay R(string strategy, ulong seed, int? toTop1) => new(strategy, seed, 100, 100, 0, [], toTop1, null, null, null, 0);
        static StrategySummary S(string strategy, params int?[] toTop1) =>
            StrategySummary.Of(strategy, toTop1.Select((n, i) => R(strategy, (ulong)i, n)).ToArray(), 100, 1);
        var random = S("random", 30, 60, 90, null, 45);         // a miss counts as the budget: median 60
        var evolution = S("regularized", 10, 20, 30, 40, 15);   // median 20
        var x = evolution.Top1SpeedupOver(random)!.Value;
        Assert.Equal(3.0, x.Ratio, 12);
        Assert.True(x.Low <= 3.0 && 3.0 <= x.High && x.Low < x.High, $"{x.Low}-{x.High}");
        Assert.Equal(x, evolution.Top1SpeedupOver(random));      // seeded: the same interval again
        // Exactly three times faster on every seed: the paired interval is the point.
        var thrice = S("regularized", 10, 20, 30, 33, 15);
        var scaled = S("random", 30, 60, 90, 99, 45);
        Assert.Equal((3.0, 3.0), (thrice.Top1SpeedupOver(scaled)!.Value.Low, thrice.Top1SpeedupOver(scaled)!.Value.High));
        // Different seeds are not paired: no figure.
        Assert.Null(evolution.Top1SpeedupOver(StrategySummary.Of("random", [R("random", 7, 10)], 100, 1)));
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
