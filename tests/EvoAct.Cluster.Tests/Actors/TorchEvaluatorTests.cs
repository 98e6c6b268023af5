using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Messages;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Tests.Actors;

/// <summary>How a real training's outcomes map to the protocol's statuses (smoke preset: well under a second each).</summary>
public sealed class TorchEvaluatorTests
{
    static TrainerSettings Smoke => RunSettings.Read(new ConfigReader(EvoActConfig.Load("smoke"))).Plan.Training;

    static WorkResult Evaluate(string expression, TrainerSettings training) =>
        new TorchEvaluator().Evaluate(new Work("t", 1, expression, training), "w", CancellationToken.None);

    [Fact]
    public void A_training_that_runs_to_the_end_is_completed_with_its_validation_accuracy()
    {
        var r = Evaluate("relu(x)", Smoke);
        Assert.Equal("completed", r.Status);
        Assert.InRange(r.Fitness!.Value, 0, 1);
        Assert.Null(r.Reason);
    }

    [Fact]
    public void A_non_finite_loss_is_diverged_with_its_step_and_no_fitness()
    {
        var r = Evaluate("relu(x)", Smoke with { LearningRate = 1e30, WarmupSteps = 0 });
        Assert.Equal("diverged", r.Status);
        Assert.Null(r.Fitness);
        Assert.Matches(@"^non-finite loss at step \d+$", r.Reason);
    }

    [Fact]
    public void An_exception_inside_training_is_a_failed_evaluation_with_its_reason()
    {
        // The expression is valid; the trainer itself throws (the model is looked up once training starts).
        var r = Evaluate("relu(x)", Smoke with { Model = "no-such-model" });
        Assert.Equal("failed", r.Status);
        Assert.Null(r.Fitness);
        Assert.Equal("ArgumentException: unknown model 'no-such-model'", r.Reason);
    }

    [Fact]
    public void A_malformed_expression_is_a_failed_evaluation_naming_the_parse_error()
    {
        var r = Evaluate("x * sigmoid(", Smoke);
        Assert.Equal("failed", r.Status);
        Assert.Null(r.Fitness);
        Assert.StartsWith("ParseException", r.Reason);
    }

    [Fact]
    public void Seeds_per_candidate_trains_with_consecutive_seeds_and_takes_their_mean()
    {
        var training = Smoke with { Seed = 4, Curve = [0.5, 1.0] };
        var r = new TorchEvaluator().Evaluate(new Work("t", 1, "relu(x)", training, Seeds: 2), "w", CancellationToken.None);
        Assert.Equal("completed", r.Status);
        Assert.Equal([4UL, 5UL], r.Seeds!.Select(s => s.Seed));
        Assert.Equal(r.Seeds!.Average(s => s.Accuracy!.Value), r.Fitness!.Value, 12);
        Assert.All(r.Seeds!, s => Assert.Equal(s.Accuracy, s.Curve![^1].Accuracy));
        Assert.Equal(r.Seeds!.Sum(s => s.Seconds), r.Seconds, 9);
        // the seed alone is what `evoact eval --seed 5` trains
        var alone = Evaluate("relu(x)", training with { Seed = 5 });
        Assert.Equal(alone.Fitness, r.Seeds![1].Accuracy);
    }

    [Fact]
    public void A_diverged_seed_makes_the_candidate_diverged_and_the_other_seeds_still_train()
    {
        var r = new TorchEvaluator().Evaluate(new Work("t", 1, "relu(x)", Smoke with { LearningRate = 1e30, WarmupSteps = 0 }, Seeds: 2), "w", CancellationToken.None);
        Assert.Equal("diverged", r.Status);
        Assert.Null(r.Fitness);
        Assert.Equal(2, r.Seeds!.Count);
        Assert.StartsWith("seed 0: non-finite loss", r.Reason);
    }

    [Fact]
    public void With_rungs_a_candidate_stops_at_each_and_its_end_is_that_of_a_training_straight_through()
    {
        var training = Smoke with { Seed = 2, Curve = [0.5, 1.0] };
        var work = new Work("t", 1, "max(x, tanh(x))", training, Seeds: 2, Rungs: [0.25, 0.5, 1.0]);
        var straight = new TorchEvaluator().Evaluate(work with { Rungs = null }, "w", CancellationToken.None);
        using var session = new TorchEvaluator().Start(work, "w");
        var r0 = Assert.IsType<RungResult>(session.Next(CancellationToken.None));
        var r1 = Assert.IsType<RungResult>(session.Next(CancellationToken.None));
        Assert.Equal((0, 1), (r0.Rung, r1.Rung));
        Assert.Equal(r1.Seeds!.Average(s => s.Accuracy!.Value), r1.Score!.Value, 12);
        // the rung at 0.5 is the curve's point at 0.5 of the uninterrupted training
        Assert.Equal(straight.Seeds!.Select(s => s.Curve![0].Accuracy), r1.Seeds!.Select(s => s.Accuracy!.Value));
        var end = Assert.IsType<WorkResult>(session.Next(CancellationToken.None));
        Assert.Equal(straight.Status, end.Status);
        Assert.Equal(straight.Fitness, end.Fitness);
        Assert.Equal(straight.Seeds!.Select(s => s.Loss), end.Seeds!.Select(s => s.Loss));
    }

    [Fact]
    public void With_rungs_a_candidate_that_diverges_before_a_rung_ends_there()
    {
        var work = new Work("t", 1, "relu(x)", Smoke with { LearningRate = 1e30, WarmupSteps = 0 }, Rungs: [0.5, 1.0]);
        using var session = new TorchEvaluator().Start(work, "w");
        var end = Assert.IsType<WorkResult>(session.Next(CancellationToken.None));
        Assert.Equal("diverged", end.Status);
    }
}
