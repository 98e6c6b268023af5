using EvoAct.Training.Activations;
using EvoAct.Training.Data;
using EvoAct.Training.Trainer;

namespace EvoAct.Training.Tests.Trainer;

public class ChildTrainerTests
{
    /// <summary>The smoke preset's setup: synthetic data, a 4-wide ResNet-8, a few dozen steps.</summary>
    static TrainerSettings Smoke(int steps = 40, double lr = 0.05, ulong seed = 0) => new()
    {
        Model = "proxy-resnet", ProxyBlocks = 1, ProxyWidth = 4, Steps = steps, BatchSize = 32, EvalBatchSize = 500,
        LearningRate = lr, Threads = 1, Seed = seed,
        Data = new DataSettings
        {
            Name = "synthetic", ValidationSize = 200,
            Synthetic = new SyntheticSettings(Train: 1000, Test: 200, Classes: 4, Channels: 1, Size: 8, Seed: 1),
        },
    };

    [Fact]
    public void Relu_learns_the_synthetic_task()
    {
        var r = ChildTrainer.Evaluate(Activation.Parse("relu"), Smoke(), test: true);
        Assert.Equal(Outcome.Ok, r.Outcome);
        Assert.True(r.ValidationAccuracy > 0.6, $"validation accuracy {r.ValidationAccuracy} (chance 0.25)");
        Assert.NotNull(r.TestAccuracy);
        Assert.Equal(40, r.Steps);
        Assert.True(r.ImagesPerSecond > 0);
    }

    [Fact]
    public void Same_activation_and_seed_give_the_same_result_on_cpu()
    {
        var swish = Activation.Parse("x * sigmoid(beta * x)");
        var a = ChildTrainer.Evaluate(swish, Smoke(seed: 5));
        var b = ChildTrainer.Evaluate(swish, Smoke(seed: 5));
        var c = ChildTrainer.Evaluate(swish, Smoke(seed: 6));
        Assert.Equal(a.ValidationLoss, b.ValidationLoss);
        Assert.Equal(a.ValidationAccuracy, b.ValidationAccuracy);
        Assert.NotEqual(a.ValidationLoss, c.ValidationLoss);
    }

    [Fact]
    public void Non_finite_loss_ends_as_diverged_with_its_step_not_an_exception()
    {
        var r = ChildTrainer.Evaluate(Activation.Parse("exp(exp(exp(x)))"), Smoke());
        Assert.Equal(Outcome.Diverged, r.Outcome);
        Assert.NotNull(r.DivergedAtStep);
        Assert.Equal(r.DivergedAtStep, r.Steps);
        Assert.Contains("non-finite loss", r.Reason);
    }

    [Fact]
    public void Huge_learning_rate_diverges_after_some_steps()
    {
        var r = ChildTrainer.Evaluate(Activation.Parse("relu"), Smoke(steps: 200, lr: 1e6));
        Assert.Equal(Outcome.Diverged, r.Outcome);
        Assert.InRange(r.DivergedAtStep!.Value, 1, 199);
    }

    [Fact]
    public void Epoch_budget_is_converted_to_steps()
    {
        var r = ChildTrainer.Evaluate(Activation.Parse("relu"), Smoke(steps: 0) with { Epochs = 0.5 });
        Assert.Equal((int)Math.Ceiling(0.5 * 800 / 32), r.Steps);
    }

    [Fact]
    public void Tensorboard_scalars_are_written_per_epoch_when_switched_on()
    {
        var dir = Directory.CreateTempSubdirectory("evoact-tb").FullName;
        try
        {
            var settings = Smoke(steps: 75) with { TensorBoardDir = dir };   // 800 training images / 32 = 25 steps an epoch
            var r = ChildTrainer.Evaluate(Activation.Parse("relu"), settings, test: true, logName: "run/000001");
            Assert.Equal(Outcome.Ok, r.Outcome);
            var file = Assert.Single(Directory.GetFiles(Path.Combine(dir, "run", "000001"), "events.out.tfevents.*"));
            var text = System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(file));
            int Count(string tag) => System.Text.RegularExpressions.Regex.Matches(text, System.Text.RegularExpressions.Regex.Escape(tag)).Count;
            Assert.Equal(3, Count("train/loss_per_epoch"));
            Assert.Equal(3, Count("train/accuracy_per_epoch"));
            Assert.Equal(1, Count("validation/accuracy"));
            Assert.Equal(1, Count("test/accuracy"));
            Assert.True(Count("train/learning_rate") >= 7);
            // Logging does not change what is measured.
            Assert.Equal(ChildTrainer.Evaluate(Activation.Parse("relu"), Smoke(steps: 75), test: true).ValidationLoss, r.ValidationLoss);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_learning_curve_is_measured_at_its_fractions_and_ends_with_the_final_validation()
    {
        var r = ChildTrainer.Evaluate(Activation.Parse("relu"), Smoke(steps: 40) with { Curve = [0.125, 0.25, 0.5, 1.0] });
        Assert.Equal(Outcome.Ok, r.Outcome);
        Assert.Equal([5, 10, 20, 40], r.Curve!.Select(p => p.Step));
        Assert.Equal([0.125, 0.25, 0.5, 1.0], r.Curve!.Select(p => p.Fraction));
        Assert.Equal(r.ValidationAccuracy, r.Curve![^1].Accuracy);
        Assert.Equal(r.ValidationLoss, r.Curve![^1].Loss);
        // the net learns: the curve's loss falls from its first point to its last
        Assert.True(r.Curve![0].Loss > r.Curve![^1].Loss, string.Join(", ", r.Curve!.Select(p => $"{p.Step}: {p.Loss:F3}")));
    }

    [Fact]
    public void Measuring_the_curve_does_not_change_the_training()
    {
        var swish = Activation.Parse("x * sigmoid(beta * x)");
        var without = ChildTrainer.Evaluate(swish, Smoke(seed: 3) with { Curve = [] });
        var with = ChildTrainer.Evaluate(swish, Smoke(seed: 3) with { Curve = [0.1, 0.3, 0.5, 0.7, 0.9] });
        Assert.Empty(without.Curve!);
        Assert.Equal(5, with.Curve!.Count);
        Assert.Equal(without.ValidationLoss, with.ValidationLoss);
        Assert.Equal(without.ValidationAccuracy, with.ValidationAccuracy);
    }

    [Fact]
    public void A_diverged_training_keeps_the_points_it_reached()
    {
        var r = ChildTrainer.Evaluate(Activation.Parse("exp(exp(x))"), Smoke(steps: 40, lr: 5) with { Curve = [0.025, 0.5, 1.0] });
        Assert.Equal(Outcome.Diverged, r.Outcome);
        Assert.All(r.Curve!, p => Assert.True(p.Step <= r.DivergedAtStep!.Value));
    }

    [Fact]
    public void Record_test_measures_test_accuracy_without_being_asked()
    {
        Assert.Null(ChildTrainer.Evaluate(Activation.Parse("relu"), Smoke(steps: 5)).TestAccuracy);
        Assert.NotNull(ChildTrainer.Evaluate(Activation.Parse("relu"), Smoke(steps: 5) with { RecordTest = true }).TestAccuracy);
    }

    [Fact]
    public void A_training_stopped_after_any_step_and_resumed_gives_the_numbers_of_one_straight_through()
    {
        var act = Activation.Parse("max(x, tanh(beta * x))");
        var settings = Smoke(steps: 40, seed: 9) with { Curve = [0.25, 0.5, 1.0], WarmupSteps = 5 };
        var straight = ChildTrainer.Evaluate(act, settings);
        using var staged = new ChildTraining(act, settings);
        var first = staged.RunTo(7);   // not a curve point: measured for the caller
        Assert.Equal(7, first.Step);
        Assert.Null(staged.Final);
        var second = staged.RunTo(20); // a curve point
        Assert.Equal(second, staged.Curve[^1]);
        staged.RunTo(staged.TotalSteps);
        var resumed = staged.Final!;
        Assert.Equal(straight.ValidationLoss, resumed.ValidationLoss);
        Assert.Equal(straight.ValidationAccuracy, resumed.ValidationAccuracy);
        Assert.Equal(straight.Curve!.Select(p => (p.Step, p.Accuracy, p.Loss)), resumed.Curve!.Select(p => (p.Step, p.Accuracy, p.Loss)));
        Assert.Throws<InvalidOperationException>(() => staged.RunTo(40));
    }
}
