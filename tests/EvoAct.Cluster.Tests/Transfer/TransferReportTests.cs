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
            "activation,model,dataset,median_test_accuracy,min_test_accuracy,max_test_accuracy,runs,failed,test_accuracies\n" +
            "\"max(x, 0)\",resnet20,cifar10,0.89375,0.875,0.9125,2,0,0.9125 0.875\n" +
            "relu(x),resnet20,cifar10,,,,0,1,\n",
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
        Assert.Equal("| relu(x) | - | --- | 0 | 1 |", md[5]);
    }
}
