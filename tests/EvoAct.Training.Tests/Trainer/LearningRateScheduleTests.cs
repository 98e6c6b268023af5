using EvoAct.Training.Trainer;

namespace EvoAct.Training.Tests.Trainer;

public class LearningRateScheduleTests
{
    [Fact]
    public void Cosine_warms_up_linearly_then_decays_to_zero()
    {
        var s = new TrainerSettings { LearningRate = 0.1, Schedule = "cosine", WarmupSteps = 10 };
        Assert.Equal(0.01, LearningRateSchedule.At(s, 0, 110), 12);
        Assert.Equal(0.1, LearningRateSchedule.At(s, 9, 110), 12);
        Assert.Equal(0.1, LearningRateSchedule.At(s, 10, 110), 12);
        Assert.Equal(0.05, LearningRateSchedule.At(s, 60, 110), 12);   // halfway through the cosine
        Assert.True(LearningRateSchedule.At(s, 109, 110) < 1e-4);
    }

    [Fact]
    public void Step_multiplies_by_gamma_at_each_milestone()
    {
        var s = new TrainerSettings { LearningRate = 0.1, Schedule = "step", StepMilestones = [0.5, 0.75], StepGamma = 0.1 };
        Assert.Equal(0.1, LearningRateSchedule.At(s, 49, 100), 12);
        Assert.Equal(0.01, LearningRateSchedule.At(s, 50, 100), 12);
        Assert.Equal(0.001, LearningRateSchedule.At(s, 75, 100), 12);
    }
}
