namespace EvoAct.Training.Trainer;

public enum Outcome { Ok, Diverged, Rejected }

/// <summary>What training a child network gave. Accuracies are fractions in [0, 1].</summary>
public sealed record EvaluationResult(
    Outcome Outcome,
    double ValidationAccuracy,
    double ValidationLoss,
    double? TestAccuracy,
    int Steps,
    int? DivergedAtStep,
    double Seconds,
    double ImagesPerSecond,
    string? Reason = null);

public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double LearningRate, double ImagesPerSecond);
