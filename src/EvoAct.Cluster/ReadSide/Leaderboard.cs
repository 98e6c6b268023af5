using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.ReadSide;

/// <summary>A distinct function on a run's leaderboard, with the accuracy of each of its trainings (the evaluation's and its re-evaluations').</summary>
public sealed record LeaderboardRow(RankedFunction Function, IReadOnlyList<double> Accuracies)
{
    public Evaluation Evaluation => Function.Evaluation;
    /// <summary>The mean over every seed (after a parent or final check), else the single score.</summary>
    public double? Mean => Function.Mean;
    public int Seeds => Function.Seeds;
    /// <summary>The sample sd of the trainings' accuracies; null below two.</summary>
    public double? Sd => Search.Statistics.Spread.SampleSd(Accuracies);
}

/// <summary>
/// The leaderboard status, top, plot, transfer and the dashboard show: the run's distinct functions
/// ranked by <see cref="Evolution.Ranked"/> (by the mean where a final check re-evaluated them), each
/// with its trainings' accuracies for mean ± sd.
/// </summary>
public static class Leaderboard
{
    public static IReadOnlyList<LeaderboardRow> Of(RunState state, int top = int.MaxValue) =>
        state.Evolution!.Ranked().Take(top).Select(f => new LeaderboardRow(f,
            Accuracies(state, f.Evaluation).Concat(f.Rechecks.SelectMany(r => Accuracies(state, r))).ToArray())).ToArray();

    static IEnumerable<double> Accuracies(RunState state, Evaluation e) =>
        state.Seeds.GetValueOrDefault(e.Id)?.Where(s => s.Accuracy is not null).Select(s => s.Accuracy!.Value)
        ?? (e.Fitness is { } f ? [f] : []);
}
