using EvoAct.Search.Statistics;

namespace EvoAct.Search.Tests.Statistics;

/// <summary>The two-sample comparison on samples whose answers are worked out by hand or by enumeration.</summary>
public sealed class TwoSampleTests
{
    [Fact]
    public void Five_against_five_without_overlap_is_two_of_the_252_splits()
    {
        double[] better = [0.912, 0.913, 0.915, 0.911, 0.914], worse = [0.905, 0.907, 0.906, 0.909, 0.904];
        Assert.Equal(2.0 / 252, TwoSample.RankSumPValue(better, worse), 12);
        Assert.Equal(2.0 / 252, TwoSample.RankSumPValue(worse, better), 12); // two-sided: symmetric
        Assert.Equal(2.0 / 20, TwoSample.RankSumPValue([3, 4, 5], [0, 1, 2]), 12);
    }

    [Fact]
    public void A_rank_sum_two_from_the_edge_gives_the_textbook_p()
    {
        // a's ranks 1, 2, 3, 5, 6: U = 17 - 15 = 2; P(U <= 2) = (1 + 1 + 2) / 252, doubled for two sides
        // (scipy.stats.mannwhitneyu(method="exact") gives 0.031746).
        Assert.Equal(8.0 / 252, TwoSample.RankSumPValue([1, 2, 3, 5, 6], [4, 7, 8, 9, 10]), 12);
    }

    [Fact]
    public void Identical_samples_are_no_evidence_at_all()
    {
        Assert.Equal(1, TwoSample.RankSumPValue([0.9, 0.9, 0.9], [0.9, 0.9]), 12);
        Assert.Equal(1, TwoSample.RankSumPValue([1, 2, 3], [1, 2, 3]), 12);
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 2, 3 }, new double[] { 2, 3, 4, 5, 5 })]
    [InlineData(new double[] { 0.5, 0.5, 0.7 }, new double[] { 0.5, 0.7, 0.7, 0.9 })]
    [InlineData(new double[] { 4, 1, 3, 3, 9, 2 }, new double[] { 5, 3, 8 })]
    public void With_ties_it_counts_exactly_what_enumerating_every_split_counts(double[] a, double[] b)
    {
        var pooled = a.Concat(b).ToArray();
        var ranks = RankCorrelation.Ranks(pooled);
        double mean = a.Length * (pooled.Length + 1) / 2.0, observed = Math.Abs(ranks.Take(a.Length).Sum() - mean);
        int extreme = 0, all = 0;
        for (int mask = 0; mask < 1 << pooled.Length; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) != a.Length) continue;
            all++;
            double sum = Enumerable.Range(0, pooled.Length).Where(i => (mask >> i & 1) == 1).Sum(i => ranks[i]);
            if (Math.Abs(sum - mean) >= observed - 1e-9) extreme++;
        }
        Assert.Equal((double)extreme / all, TwoSample.RankSumPValue(a, b), 12);
    }

    [Fact]
    public void The_median_difference_interval_brackets_what_resampling_can_reach_and_is_reproducible()
    {
        double[] a = [0.912, 0.913, 0.915, 0.911, 0.914], b = [0.905, 0.907, 0.906, 0.909, 0.904];
        var (low, high) = TwoSample.MedianDifferenceInterval(a, b);
        Assert.InRange(low, 0.911 - 0.909, TwoSample.Median(a) - TwoSample.Median(b));
        Assert.InRange(high, TwoSample.Median(a) - TwoSample.Median(b), 0.915 - 0.904);
        Assert.True(low < high);
        Assert.Equal((low, high), TwoSample.MedianDifferenceInterval(a, b));
    }

    [Fact]
    public void Constant_samples_give_their_difference_exactly_and_an_empty_one_gives_nothing()
    {
        Assert.Equal((0.25, 0.25), TwoSample.MedianDifferenceInterval([1.0, 1.0, 1.0], [0.75, 0.75]));
        Assert.True(double.IsNaN(TwoSample.MedianDifferenceInterval([], [0.5]).Low));
        Assert.True(double.IsNaN(TwoSample.RankSumPValue([0.5], [])));
        Assert.Equal(0.5, TwoSample.Median([0.9, 0.1, 0.5]));
        Assert.Equal(0.5, TwoSample.Median([0.9, 0.1, 0.4, 0.6]));
    }
}
