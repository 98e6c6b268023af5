using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.Transfer;
using EvoAct.Search;
using EvoAct.Search.Expressions;
using EvoAct.Search.Fingerprints;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Tests.Transfer;

/// <summary>The fidelity study's plan and report, on synthetic results whose figures are worked out by hand.</summary>
public sealed class FidelityReportTests
{
    static readonly TrainerSettings Proxy = new() { Model = "proxy-resnet", Data = new() { Name = "fashion-mnist" }, Steps = 100, Seed = 10 };
    static readonly TrainerSettings Target = new() { Model = "resnet-small", Data = new() { Name = "fashion-mnist" }, Steps = 900, Seed = 20 };

    static TransferPlan Plan(params string[] activations) => FidelityStudy.Plan("f", "cpu-proxy", Proxy, "transfer-cpu-fmnist", Target, activations, seeds: 2);

    /// <summary>Every job done: proxy jobs score validation accuracy, target jobs test accuracy (their other score set to garbage that must not be read).</summary>
    static Dictionary<int, TransferJobDone> Results(TransferPlan plan, Dictionary<string, (double[] Proxy, double[] Target)> scores, double seconds = 1)
    {
        var done = new Dictionary<int, TransferJobDone>();
        foreach (var j in plan.Jobs)
        {
            double v = j.OnProxy ? scores[j.Activation].Proxy[j.Seed] : scores[j.Activation].Target[j.Seed];
            done[j.Id] = new TransferJobDone(Schema.Version, j.Id, "completed", j.OnProxy ? -1 : v, j.OnProxy ? v : -1, null, "w",
                                             j.OnProxy ? seconds : 10 * seconds, DateTime.UnixEpoch);
        }
        return done;
    }

    [Fact]
    public void The_plan_trains_each_activation_seed_by_seed_on_the_proxy_then_the_target_with_each_setup()
    {
        var plan = Plan("relu", "cos(x) - x");
        Assert.Equal([("relu", 0, true), ("relu", 0, false), ("cos(x) - x", 0, true), ("cos(x) - x", 0, false),
                      ("relu", 1, true), ("relu", 1, false), ("cos(x) - x", 1, true), ("cos(x) - x", 1, false)],
                     plan.Jobs.Select(j => (j.Activation, j.Seed, j.OnProxy)));
        Assert.Equal(Enumerable.Range(0, 8), plan.Jobs.Select(j => j.Id));
        var proxyJob = plan.Jobs[4];
        Assert.Equal((100, 11UL), (plan.SetupOf(proxyJob).Steps, plan.SetupOf(proxyJob).Seed));
        Assert.Equal((900, 21UL), (plan.SetupOf(plan.Jobs[5]).Steps, plan.SetupOf(plan.Jobs[5]).Seed));
        // The transfer table of a study is the target's alone.
        var rows = TransferReport.Rows(plan, Results(plan, new()
        {
            ["relu"] = ([0.1, 0.1], [0.9, 0.8]), ["cos(x) - x"] = ([0.2, 0.2], [0.7, 0.6]),
        }));
        Assert.Equal([("relu", 2), ("cos(x) - x", 2)], rows.Select(r => (r.Activation, r.TestAccuracies.Count)));
        Assert.Equal(0.85, rows[0].Median!.Value, 12);
    }

    [Fact]
    public void A_proxy_that_keeps_the_targets_order_scores_one_and_its_noise_is_the_pooled_sd_over_the_spread_of_means()
    {
        var plan = Plan("a(x)", "b(x)", "c(x)");
        var s = FidelityReport.Summarize(plan, Results(plan, new()
        {
            ["a(x)"] = ([0.9, 0.8], [0.95, 0.93]),
            ["b(x)"] = ([0.7, 0.7], [0.90, 0.92]),
            ["c(x)"] = ([0.5, 0.6], [0.80, 0.82]),
        }));
        Assert.Equal(["a(x)", "b(x)", "c(x)"], s.Rows.Select(r => r.Activation));
        Assert.Equal(1, s.Spearman, 12);
        Assert.Equal(1, s.Kendall, 12);
        Assert.Equal((1.0, 1.0), s.SpearmanInterval);
        // Proxy variances 0.005, 0, 0.005: pooled sd sqrt(0.01 / 3); means 0.85, 0.7, 0.55: sd 0.15.
        Assert.Equal(Math.Sqrt(0.01 / 3), s.ProxyNoise.Within!.Value, 12);
        Assert.Equal(0.15, s.ProxyNoise.Between!.Value, 12);
        Assert.Equal(Math.Sqrt(0.01 / 3) / 0.15, s.ProxyNoise.Ratio!.Value, 12);
        Assert.Equal((1.0, 10.0), (s.ProxySecondsPerEvaluation!.Value, s.TargetSecondsPerEvaluation!.Value));
        Assert.Equal(0.94, s.Rows[0].TargetMedian!.Value, 12);
        Assert.Equal(0.85, s.Rows[0].ProxyMean!.Value, 12);

        var md = FidelityReport.Markdown(plan, s);
        Assert.Contains("**Spearman 1.000** (bootstrap 95% 1.000 to 1.000), Kendall tau-b 1.000", md);
        Assert.Contains("over 3 activations scored on both", md);
        Assert.Contains("| a(x) | 0.8500 ± 0.0707 | 0.9400 | 0.9400 ± 0.0141 | 2/2 | 0/0 |", md);
        var csv = FidelityReport.Csv(plan, s).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("a(x),cpu-proxy,transfer-cpu-fmnist,0.85", csv[1]);
        Assert.EndsWith(",0.9 0.8,0.95 0.93", csv[1]);
    }

    [Fact]
    public void A_reversed_proxy_scores_minus_one_and_an_activation_failed_on_one_side_is_not_ranked()
    {
        var plan = Plan("a(x)", "b(x)", "c(x)", "d(x)");
        var done = Results(plan, new()
        {
            ["a(x)"] = ([0.5, 0.5], [0.9, 0.9]), ["b(x)"] = ([0.6, 0.6], [0.8, 0.8]), ["c(x)"] = ([0.7, 0.7], [0.7, 0.7]), ["d(x)"] = ([0.99, 0.99], [0.1, 0.1]),
        });
        foreach (var j in plan.Jobs.Where(j => j.Activation == "d(x)" && !j.OnProxy))
            done[j.Id] = new TransferJobDone(Schema.Version, j.Id, "diverged", null, null, "non-finite loss", "w", 1, DateTime.UnixEpoch);
        var s = FidelityReport.Summarize(plan, done);
        Assert.Equal(3, s.Ranked);
        Assert.Equal(-1, s.Spearman, 12);
        var d = s.Rows.Single(r => r.Activation == "d(x)");
        Assert.Equal((2, 0, 0, 2), (d.Proxy.Count, d.Target.Count, d.ProxyFailed, d.TargetFailed));
        Assert.Equal("d(x)", s.Rows[^1].Activation); // unscored on the target: last
        Assert.Equal(0, s.ProxyNoise.Within!.Value, 12);
        Assert.Null(s.ProxyNoise.Ratio is { } r && r > 0 ? r : null);
    }

    [Fact]
    public void With_fewer_than_three_ranked_there_is_no_correlation()
    {
        var plan = Plan("a(x)", "b(x)");
        var s = FidelityReport.Summarize(plan, Results(plan, new() { ["a(x)"] = ([0.5, 0.5], [0.9, 0.9]), ["b(x)"] = ([0.6, 0.6], [0.8, 0.8]) }));
        Assert.True(double.IsNaN(s.Spearman));
        Assert.Contains("**Spearman -**", FidelityReport.Markdown(plan, s));
    }

    [Fact]
    public void The_default_set_is_the_papers_eight_the_baselines_and_distinct_random_functions_the_filter_passes_drawn_from_the_seed()
    {
        var space = SearchSpace.Paper;
        var filter = CandidateFilter.Default;
        var set = FidelityStudy.DefaultSet(space, filter, random: 6, seed: 3);
        Assert.Equal(8 + 6 + 6, set.Count);
        Assert.Equal(FidelityStudy.PaperActivations, set.Take(8));
        Assert.Equal(["relu", "silu", "gelu", "elu", "softplus", "leaky_relu"], set.Skip(8).Take(6));
        var random = set.Skip(14).ToArray();
        Assert.All(random, a => Assert.Null(filter.Check(ExpressionParser.Parse(a))));
        var prints = set.Where(a => !FidelityStudy.Baselines.Contains(a)).Select(a => Fingerprint.Of(ExpressionParser.Parse(a))).ToArray();
        Assert.Equal(prints.Length, prints.Distinct().Count());
        Assert.Equal(set, FidelityStudy.DefaultSet(space, filter, random: 6, seed: 3));
        Assert.NotEqual(random, FidelityStudy.DefaultSet(space, filter, random: 6, seed: 4).Skip(14));
    }
}
