using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;
using EvoAct.Search.Expressions;

namespace EvoAct.Cluster.Actors;

/// <summary>
/// For coordinator tests and benchmarks only: no training. Fitness is a smooth, deterministic
/// function of the activation's shape (closeness to Swish over [-3, 3]), so evolution has a landscape
/// to climb; the delay stands in for training time.
/// </summary>
public sealed class FakeEvaluator(TimeSpan delay) : IEvaluator
{
    static readonly double[] Grid = Enumerable.Range(0, 25).Select(i => -3 + i * 0.25).ToArray();

    public WorkResult Evaluate(Work work, string workerId, CancellationToken cancel)
    {
        Wait(delay, cancel);
        return Result(work, workerId);
    }

    /// <summary>With rungs: a rung's score is the fitness less 0.05 per missing share of the budget, and each stage waits its share of the delay.</summary>
    public ITrainingSession Start(Work work, string workerId)
    {
        double fitness = Fitness(work.Expression), reached = 0;
        return new RungSession(work, workerId, (f, cancel) =>
        {
            Wait((f - reached) * delay, cancel);
            reached = f;
            double score = fitness - 0.05 * (1 - f);
            return new RungOutcome(score, f * delay.TotalSeconds, Seeds(work, EvaluationStatus.Stopped, score, null, f * delay.TotalSeconds));
        }, cancel =>
        {
            Wait((1 - reached) * delay, cancel);
            return Result(work, workerId);
        });
    }

    // A plain timed wait on this (pinned) thread: Task.Delay would need a timer and a pool thread to
    // wake it, which on a loaded machine stretched 200 ms into 400.
    static void Wait(TimeSpan span, CancellationToken cancel)
    {
        if (span > TimeSpan.Zero && cancel.WaitHandle.WaitOne(span)) throw new OperationCanceledException(cancel);
    }

    WorkResult Result(Work work, string workerId)
    {
        double fitness = Fitness(work.Expression);
        // A transfer asks for test accuracy: the same landscape stands in for it.
        return new WorkResult(work.Id, workerId, WireNames.Status[EvaluationStatus.Completed], fitness, null, delay.TotalSeconds, work.Test ? fitness : null,
                              Seeds: Seeds(work, EvaluationStatus.Completed, fitness, work.Test ? fitness : null, delay.TotalSeconds));
    }

    /// <summary>One training per seed, all alike (the landscape has no noise), so that an exhaustive fake run exports a benchmark table.</summary>
    static SeedResult[] Seeds(Work work, EvaluationStatus status, double accuracy, double? test, double seconds) =>
        Enumerable.Range(0, Math.Max(1, work.Seeds)).Select(i => new SeedResult(work.Training.Seed + (ulong)i,
            WireNames.Status[status], accuracy, 1 - accuracy, test, seconds)).ToArray();

    /// <summary>The baselines (transfers and fidelity studies train them) as expressions of the grammar with their shapes.</summary>
    static readonly Dictionary<string, string> Baselines = new()
    {
        ["relu"] = "relu(x)", ["silu"] = "x * sigmoid(x)", ["swish"] = "x * sigmoid(beta * x)", ["gelu"] = "x * sigmoid(1.702 * x)",
        ["elu"] = "relu(x) + min0(exp(x) - 1)", ["selu"] = "1.0507 * (relu(x) + min0(1.6733 * (exp(x) - 1)))",
        ["softplus"] = "softplus(x)", ["leaky_relu"] = "max(x, 0.01 * x)", ["tanh"] = "tanh(x)",
    };

    public static double Fitness(string expression)
    {
        var e = ExpressionParser.Parse(Baselines.GetValueOrDefault(expression, expression));
        double error = Grid.Average(x =>
        {
            double d = ExpressionEvaluator.Value(e, x) - x / (1 + Math.Exp(-x));
            return double.IsFinite(d) ? Math.Min(d * d, 100) : 100;
        });
        return 0.1 + 0.85 / (1 + error);
    }
}
