using EvoAct.Search.Statistics;

namespace EvoAct.Search.Tests.Statistics;

/// <summary>The rank statistics on sets whose answers are worked out by hand.</summary>
public sealed class RankCorrelationTests
{
    [Fact]
    public void A_ranking_kept_is_one_and_reversed_is_minus_one_whatever_the_scale()
    {
        double[] x = [0.1, 0.5, 0.7, 0.9], kept = [3, 40, 41, 1000], reversed = [9, 8, 2, 1];
        Assert.Equal(1, RankCorrelation.Spearman(x, kept), 12);
        Assert.Equal(1, RankCorrelation.KendallTauB(x, kept), 12);
        Assert.Equal(-1, RankCorrelation.Spearman(x, reversed), 12);
        Assert.Equal(-1, RankCorrelation.KendallTauB(x, reversed), 12);
    }

    [Fact]
    public void Two_swapped_neighbours_give_the_textbook_values()
    {
        // d = (-1, 1, -1, 1, 0): rho = 1 - 6 * 4 / (5 * 24) = 0.8; 8 concordant and 2 discordant of 10 pairs: tau = 0.6.
        double[] x = [1, 2, 3, 4, 5], y = [2, 1, 4, 3, 5];
        Assert.Equal(0.8, RankCorrelation.Spearman(x, y), 12);
        Assert.Equal(0.6, RankCorrelation.KendallTauB(x, y), 12);
    }

    [Fact]
    public void Ties_share_the_mean_rank_and_tau_b_corrects_for_them()
    {
        Assert.Equal([1, 2.5, 2.5, 4], RankCorrelation.Ranks([10, 20, 20, 30]));
        Assert.Equal([2, 2, 2], RankCorrelation.Ranks([7, 7, 7]));
        // 6 pairs, one tied in x: 5 concordant, none discordant; tau-b = 5 / sqrt(5 * 6).
        Assert.Equal(5 / Math.Sqrt(30), RankCorrelation.KendallTauB([1, 2, 2, 3], [1, 2, 3, 4]), 12);
        Assert.True(double.IsNaN(RankCorrelation.KendallTauB([1, 1, 1], [1, 2, 3])));
        Assert.True(double.IsNaN(RankCorrelation.Spearman([1, 1, 1], [1, 2, 3])));
    }

    [Fact]
    public void Unpaired_samples_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => RankCorrelation.Spearman([1, 2], [1, 2, 3]));
        Assert.Contains("2 and 3", e.Message);
    }

    [Fact]
    public void Quantiles_interpolate_between_order_statistics()
    {
        double[] v = [1, 2, 3, 4];
        Assert.Equal(2.5, RankCorrelation.Quantile(v, 0.5));
        Assert.Equal(1, RankCorrelation.Quantile(v, 0));
        Assert.Equal(4, RankCorrelation.Quantile(v, 1));
        Assert.Equal(1.75, RankCorrelation.Quantile(v, 0.25));
    }

    [Fact]
    public void The_bootstrap_interval_is_a_point_for_a_perfect_ranking_and_wide_and_reproducible_for_noise()
    {
        var x = Enumerable.Range(0, 20).Select(i => (double)i).ToArray();
        Assert.Equal((1.0, 1.0), RankCorrelation.Bootstrap(x, x.Select(v => v * v).ToArray(), RankCorrelation.Spearman));

        var rng = new Rng(42);
        var noise = x.Select(_ => rng.NextDouble()).ToArray();
        var a = RankCorrelation.Bootstrap(x, noise, RankCorrelation.Spearman, seed: 7);
        Assert.Equal(a, RankCorrelation.Bootstrap(x, noise, RankCorrelation.Spearman, seed: 7));
        Assert.NotEqual(a, RankCorrelation.Bootstrap(x, noise, RankCorrelation.Spearman, seed: 8));
        double rho = RankCorrelation.Spearman(x, noise);
        Assert.InRange(rho, a.Low, a.High);
        Assert.True(a.High - a.Low > 0.3, $"interval {a} is too narrow for 20 noisy pairs");
        // 90% is inside 95%.
        var b = RankCorrelation.Bootstrap(x, noise, RankCorrelation.Spearman, level: 0.9, seed: 7);
        Assert.True(b.Low >= a.Low && b.High <= a.High);
    }

    [Fact]
    public void A_bootstrap_of_one_pair_has_no_interval()
    {
        var (low, high) = RankCorrelation.Bootstrap([1], [1], RankCorrelation.Spearman);
        Assert.True(double.IsNaN(low) && double.IsNaN(high));
    }
}
