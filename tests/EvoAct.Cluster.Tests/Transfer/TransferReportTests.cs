using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.Transfer;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Tests.Transfer;

public sealed class TransferReportTests
{
    static readonly TrainerSettings Training = new() { Model = "resnet20", Data = new() { Name = "cifar10" } };

    static TransferPlan Plan(params (string Activation, int Runs)[] activations)
    {
        var jobs = new List<TransferJob>();
        foreach (var (a, runs) in activations)
            for (int seed = 0; seed < runs; seed++) jobs.Add(new TransferJob(jobs.Count, a, seed));
        return new TransferPlan("src", "transfer-x", jobs, Training);
    }

    static TransferJobDone Done(int job, double? test, string status = "completed") =>
        new(Schema.Version, job, status, test, test, test is null ? "non-finite loss at step 3" : null, "w", 1, DateTime.UnixEpoch);

    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        var plan = Plan(("relu(x)", 4));
        var row = Assert.Single(TransferReport.Rows(plan, new Dictionary<int, TransferJobDone>
        {
            [0] = Done(0, 0.90), [1] = Done(1, 0.70), [2] = Done(2, 0.80), [3] = Done(3, 0.95),
        }));
        Assert.Equal((0.80 + 0.90) / 2, row.Median);
        Assert.Equal((0.70, 0.95), (row.Min!.Value, row.Max!.Value));
        Assert.Equal((4, 0), (row.TestAccuracies.Count, row.Failed));
    }

    [Fact]
    public void The_median_of_an_odd_count_is_the_middle_value_and_failures_are_counted_apart()
    {
        var plan = Plan(("relu(x)", 4));
        var row = Assert.Single(TransferReport.Rows(plan, new Dictionary<int, TransferJobDone>
        {
            [0] = Done(0, 0.3), [1] = Done(1, null, "diverged"), [2] = Done(2, 0.9), [3] = Done(3, 0.5),
        }));
        Assert.Equal(0.5, row.Median);
        Assert.Equal((3, 1), (row.TestAccuracies.Count, row.Failed));
    }

    [Fact]
    public void Rows_are_best_first_jobs_not_done_count_for_nothing_and_an_activation_without_results_comes_last()
    {
        var plan = Plan(("relu(x)", 2), ("x * sigmoid(beta * x)", 2), ("sin(x)", 2));
        var rows = TransferReport.Rows(plan, new Dictionary<int, TransferJobDone>
        {
            [0] = Done(0, 0.80),                           // relu: one of two done
            [2] = Done(2, 0.85), [3] = Done(3, 0.83),      // swish
            [4] = Done(4, null, "failed"),                 // sin: failed, and one not done
        });
        Assert.Equal(["x * sigmoid(beta * x)", "relu(x)", "sin(x)"], rows.Select(r => r.Activation));
        Assert.Equal((1, 0), (rows[1].TestAccuracies.Count, rows[1].Failed));
        Assert.Null(rows[2].Median);
        Assert.Equal((0, 1), (rows[2].TestAccuracies.Count, rows[2].Failed));
    }

    [Fact]
    public void The_csv_holds_every_figure_unrounded_and_quotes_what_needs_it()
    {
        var plan = Plan(("max(x, 0)", 2), ("relu(x)", 1));
        var rows = TransferReport.Rows(plan, new Dictionary<int, TransferJobDone>
        {
            [0] = Done(0, 0.9125), [1] = Done(1, 0.875), [2] = Done(2, null, "failed"),
        });
        Assert.Equal(
            "activation,model,dataset,median_test_accuracy,min_test_accuracy,max_test_accuracy,runs,failed,test_accuracies," +
            "reference,median_difference,difference_low,difference_high,p_value\n" +
            "\"max(x, 0)\",resnet20,cifar10,0.89375,0.875,0.9125,2,0,0.9125 0.875,,,,,\n" +
            "relu(x),resnet20,cifar10,,,,0,1,,,,,,\n",
            TransferReport.Csv(plan, rows).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_markdown_table_gives_percentages_with_the_spread_and_escapes_pipes()
    {
        var plan = Plan(("abs(x) | 1", 2), ("relu(x)", 2));
        var md = TransferReport.Markdown(plan, TransferReport.Rows(plan, new Dictionary<int, TransferJobDone>
        {
            [0] = Done(0, 0.913), [1] = Done(1, 0.875), [2] = Done(2, null, "failed"),
        })).ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("Transfer of run 'src': resnet20 on cifar10, preset transfer-x; test accuracy (%), median of 2 runs (min-max).", md[0]);
        Assert.Equal("| activation | resnet20 (cifar10) | min-max | runs | failed |", md[2]);
        Assert.Equal("| abs(x) \\| 1 | 89.4 | 87.5-91.3 | 2 | 0 |", md[4]);
        Assert.Equal("| relu(x) | - | - | 0 | 1 |", md[5]);
    }

    [Fact]
    public void Each_activation_is_compared_with_relu_by_median_difference_interval_and_exact_rank_sum_p()
    {
        var plan = Plan(("found(x)", 5), ("relu", 5), ("worse(x)", 5), ("broken(x)", 1));
        double[] found = [0.912, 0.913, 0.915, 0.911, 0.914], relu = [0.905, 0.907, 0.906, 0.909, 0.904], worse = [0.904, 0.908, 0.903, 0.906, 0.907];
        var done = new Dictionary<int, TransferJobDone>();
        foreach (var (values, first) in new[] { (found, 0), (relu, 5), (worse, 10) })
            for (int i = 0; i < 5; i++) done[first + i] = Done(first + i, values[i]);
        done[15] = Done(15, null, "diverged");
        var rows = TransferReport.Rows(plan, done);

        var versus = TransferReport.Compare(rows);
        Assert.Equal(["found(x)", "worse(x)"], versus.Keys.Order());
        var f = versus["found(x)"];
        Assert.Equal(("relu", 0.913 - 0.906), (f.Reference, f.MedianDifference));
        Assert.Equal(2.0 / 252, f.P, 12);
        Assert.True(f.Low > 0 && f.High > f.Low);
        Assert.True(versus["worse(x)"].Low < 0 && versus["worse(x)"].P > 0.05);

        var md = TransferReport.Markdown(plan, rows).ReplaceLineEndings("\n").Split('\n');
        Assert.StartsWith("Against relu: the difference of the medians in points", md[1]);
        Assert.Equal("| activation | resnet20 (cifar10) | min-max | runs | failed | vs relu (95% interval) | p |", md[3]);
        Assert.Matches(@"^\| found\(x\) \| 91\.3 \| 91\.1-91\.5 \| 5 \| 0 \| \+0\.70 \(\+0\.\d\d to \+\d\.\d\d\) \| 0\.008 \|$", md[5]);
        Assert.Equal("| relu | 90.6 | 90.4-90.9 | 5 | 0 | reference | - |", md[6]);
        Assert.Equal("| broken(x) | - | - | 0 | 1 | - | - |", md[8]);

        var csv = TransferReport.Csv(plan, rows).ReplaceLineEndings("\n").Split('\n');
        Assert.EndsWith($",relu,{0.913 - 0.906:R},{f.Low:R},{f.High:R},{2.0 / 252:R}", csv[1]);
        Assert.EndsWith(",,,,,", csv[2]); // relu itself
    }

    [Fact]
    public void Without_relu_or_with_a_single_relu_run_there_is_no_comparison()
    {
        var plan = Plan(("found(x)", 2), ("relu", 1));
        var rows = TransferReport.Rows(plan, new Dictionary<int, TransferJobDone> { [0] = Done(0, 0.9), [1] = Done(1, 0.91), [2] = Done(2, 0.9) });
        Assert.Empty(TransferReport.Compare(rows));
        Assert.Equal("| activation | resnet20 (cifar10) | min-max | runs | failed |", TransferReport.Markdown(plan, rows).ReplaceLineEndings("\n").Split('\n')[2]);
    }
}
