namespace EvoAct.Training.Trainer;

/// <summary>Learning rate at a step (0-based) of a budget: linear warmup, then cosine to 0 or steps down.</summary>
public static class LearningRateSchedule
{
    public static double At(TrainerSettings s, int step, int total)
    {
        if (step < s.WarmupSteps) return s.LearningRate * (step + 1) / s.WarmupSteps;
        if (s.Schedule == "step")
        {
            int passed = s.StepMilestones.Count(m => step >= m * total);
            return s.LearningRate * Math.Pow(s.StepGamma, passed);
        }
        double progress = (double)(step - s.WarmupSteps) / Math.Max(1, total - s.WarmupSteps);
        return 0.5 * s.LearningRate * (1 + Math.Cos(Math.PI * progress));
    }
}
