using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Actors;

/// <summary>
/// The stages of a Work with rungs, for an evaluator that can stop at fractions of the budget: at
/// each rung short of 1.0 a <see cref="RungResult"/> from <paramref name="rung"/> (or its final
/// WorkResult, when a training ends early), and at the last one the <paramref name="final"/> result.
/// </summary>
public sealed class RungSession(Work work, string workerId, Func<double, CancellationToken, RungOutcome> rung, Func<CancellationToken, WorkResult> final,
                                Action? dispose = null) : ITrainingSession
{
    int next;
    bool ended;

    public IEvoActMessage Next(CancellationToken cancel)
    {
        if (ended) throw new InvalidOperationException($"the training of {work.Id} has ended");
        var rungs = work.Rungs ?? [1.0];
        if (next >= rungs.Count - 1)
        {
            ended = true;
            return final(cancel);
        }
        var outcome = rung(rungs[next], cancel);
        if (outcome.Ended is { } early)
        {
            ended = true;
            return early;
        }
        return new RungResult(work.Id, workerId, next++, outcome.Score, outcome.Seconds, work.Expression, outcome.Seeds);
    }

    public void Dispose() => dispose?.Invoke();
}

/// <summary>What training to a rung gave: a score (with the seeds' detail), or a training that ended there (diverged, failed).</summary>
public sealed record RungOutcome(double? Score, double Seconds, IReadOnlyList<SeedResult>? Seeds, WorkResult? Ended = null);
