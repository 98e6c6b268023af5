using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Search;
using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.Tables;

/// <summary>
/// evoact.trainers.kind = table: answers a candidate from a <see cref="BenchmarkTable"/> instead of
/// training it, through the real coordinator and journal, so a replayed search measures EvoAct's own
/// dispatch, deduplication, aging and resume. Each of the Work's seeds is one of the function's
/// recorded trainings, picked deterministically from the run seed and the evaluation id (seeds
/// consecutive from there, wrapping; a re-evaluation goes on from its evaluation's), and it waits the recorded seconds times
/// <paramref name="timeScale"/>, so slow candidates arrive late, as they would.
/// With <paramref name="trueFitness"/> (evoact.trainers.table-answer = mean) every training answers
/// with the function's true fitness, the mean over its recorded seeds (a function that diverged on
/// any seed diverges): a noise-free oracle, so that a replay can measure what seed noise costs a
/// search. Curves, seconds and rungs stay those of the picked training.
/// </summary>
public sealed class TableEvaluator(BenchmarkTable table, double timeScale, bool trueFitness = false) : IEvaluator
{
    public WorkResult Evaluate(Work work, string workerId, CancellationToken cancel)
    {
        if (Pick(work, workerId) is not { } rows) return NotInTable(work, workerId);
        Wait(rows.Sum(r => r.Seconds), cancel);
        return Final(work, workerId, rows);
    }

    /// <summary>
    /// With rungs: a rung's score is the mean of the picked trainings' learning-curve points at that
    /// fraction (a table made with evoact.training.curve at the rungs' fractions), and each stage waits
    /// its share of the recorded time. A training that diverged before a rung ends the candidate there.
    /// </summary>
    public ITrainingSession Start(Work work, string workerId)
    {
        var rows = Pick(work, workerId);
        double reached = 0;
        return new RungSession(work, workerId, (f, cancel) =>
        {
            if (rows is null) return new RungOutcome(null, 0, null, NotInTable(work, workerId));
            Wait(rows.Sum(r => r.Seconds) * (f - reached), cancel);
            reached = f;
            var points = rows.Select(r => r.Curve?.FirstOrDefault(p => Math.Abs(p.Fraction - f) < 1e-9)).ToArray();
            if (points.Any(p => p is null))
            {
                if (rows.Where((r, i) => points[i] is null).All(r => r.Status != WireNames.Status[EvaluationStatus.Completed]))
                    return new RungOutcome(null, 0, null, Final(work, workerId, rows)); // it diverged (or failed) before this rung
                var known = rows.SelectMany(r => r.Curve ?? []).Select(p => p.Fraction).Distinct().Order();
                return new RungOutcome(null, 0, null, new WorkResult(work.Id, workerId, WireNames.Status[EvaluationStatus.Failed], null,
                    $"the table {table.Name} has no learning-curve point at {f} of the budget (it has {string.Join(", ", known)})", 0));
            }
            var seeds = rows.Select((r, i) => r with { Status = WireNames.Status[EvaluationStatus.Stopped], Accuracy = points[i]!.Accuracy, Loss = points[i]!.Loss,
                                                       TestAccuracy = null, Seconds = r.Seconds * f, Curve = r.Curve?.Where(p => p.Fraction <= f + 1e-9).ToArray() }).ToArray();
            return new RungOutcome(points.Average(p => p!.Accuracy), seeds.Sum(s => s.Seconds), seeds);
        }, cancel =>
        {
            if (rows is null) return NotInTable(work, workerId);
            Wait(rows.Sum(r => r.Seconds) * (1 - reached), cancel);
            return Final(work, workerId, rows);
        });
    }

    /// <summary>The function's recorded trainings this Work gets: consecutive seeds from a start drawn from the run seed and the id; null if the table lacks it.</summary>
    SeedResult[]? Pick(Work work, string workerId)
    {
        BenchmarkTable.Function? function;
        try
        {
            function = table.Find(work.Expression);
        }
        catch (FormatException)
        {
            return null;
        }
        if (function is null) return null;
        var rows = function.Seeds;
        // A re-evaluation continues the seeds of the evaluation it checks (Of), so its trainings are
        // ones that evaluation did not get while the table has more, as a real trainer's new seeds are.
        var rng = new Rng(work.RunSeed * 0x9E3779B97F4A7C15UL ^ (ulong)(work.Of ?? work.Id));
        int first = rng.Next(rows.Count) + (work.Of is null ? 0 : work.SeedOffset);
        var picked = Enumerable.Range(0, Math.Max(1, work.Seeds)).Select(i => rows[(first + i) % rows.Count]);
        // The oracle: every training completes with the mean, or fails as the function's first bad seed did
        // (the function has no true fitness exactly when a seed did not complete).
        if (trueFitness)
            picked = function.TrueFitness is { } mean
                ? picked.Select(r => r with { Fitness = mean, TestAccuracy = rows.All(s => s.TestAccuracy is not null) ? rows.Average(s => s.TestAccuracy!.Value) : null })
                : picked.Select(_ => rows.First(r => r.Status != WireNames.Status[EvaluationStatus.Completed] || r.Fitness is null));
        return picked.Select(r => new SeedResult(r.Seed!.Value, r.Status, r.Fitness, r.Loss, r.TestAccuracy, r.Seconds, r.Curve, r.Reason)).ToArray();
    }

    WorkResult NotInTable(Work work, string workerId) => new(work.Id, workerId, WireNames.Status[EvaluationStatus.Failed], null,
        $"not in the table {table.Name}: {work.Expression}", 0);

    WorkResult Final(Work work, string workerId, SeedResult[] seeds)
    {
        var (status, fitness, reason, test) = SeedResult.Combine(seeds);
        return new WorkResult(work.Id, workerId, status, fitness, reason, seeds.Sum(s => s.Seconds), work.Test ? test : null, Seeds: seeds);
    }

    void Wait(double recordedSeconds, CancellationToken cancel)
    {
        double seconds = recordedSeconds * timeScale;
        if (seconds > 0 && cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds))) throw new OperationCanceledException(cancel);
    }
}
