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
/// consecutive from there, wrapping), and it waits the recorded seconds times
/// <paramref name="timeScale"/>, so slow candidates arrive late, as they would.
/// </summary>
public sealed class TableEvaluator(BenchmarkTable table, double timeScale) : IEvaluator
{
    public WorkResult Evaluate(Work work, string workerId, CancellationToken cancel)
    {
        string failed = WireNames.Status[EvaluationStatus.Failed];
        BenchmarkTable.Function? function;
        try
        {
            function = table.Find(work.Expression);
        }
        catch (FormatException e)
        {
            return new WorkResult(work.Id, workerId, failed, null, $"not an expression: {e.Message}", 0);
        }
        if (function is null)
            return new WorkResult(work.Id, workerId, failed, null, $"not in the table {table.Name}: {work.Expression}", 0);

        var rows = function.Seeds;
        var rng = new Rng(work.RunSeed * 0x9E3779B97F4A7C15UL ^ (ulong)work.Id);
        int first = rng.Next(rows.Count);
        var seeds = Enumerable.Range(0, Math.Max(1, work.Seeds)).Select(i => rows[(first + i) % rows.Count])
            .Select(r => new SeedResult(r.Seed!.Value, r.Status, r.Fitness, r.Loss, r.TestAccuracy, r.Seconds, r.Curve, r.Reason)).ToArray();
        double seconds = seeds.Sum(s => s.Seconds) * timeScale;
        if (seconds > 0 && cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds))) throw new OperationCanceledException(cancel);
        var (status, fitness, reason, test) = SeedResult.Combine(seeds);
        return new WorkResult(work.Id, workerId, status, fitness, reason, seeds.Sum(s => s.Seconds), work.Test ? test : null, Seeds: seeds);
    }
}
