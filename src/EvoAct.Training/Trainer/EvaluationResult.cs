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
    string? Reason = null,
    IReadOnlyList<CurvePoint>? Curve = null);

/// <summary>
/// Validation accuracy and mean loss after <paramref name="Step"/> of the budget's steps
/// (<paramref name="Fraction"/> of it): a learning curve is the list of these, at the fractions of
/// evoact.training.curve. What multi-fidelity search and benchmark tables read.
/// </summary>
public sealed record CurvePoint(double Fraction, int Step, double Accuracy, double Loss);

public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double LearningRate, double ImagesPerSecond);
