using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Config;
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
}
