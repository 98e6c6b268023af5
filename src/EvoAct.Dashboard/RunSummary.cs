using EvoAct.Cluster.ReadSide;
using EvoAct.Search.Strategies;

namespace EvoAct.Dashboard;

/// <summary>Where a run stands, as the runs list and the run's page show it. Read under the follower's gate.</summary>
public sealed record RunSummary(
    string Name, string Strategy, string State, int Trained, int MaxEvaluations, int Proposed, int InFlight,
    double? BestFitness, string? BestExpression, long? BestId, DateTime? StartedAt, DateTime LastActivity,
    double? TrainingsPerMinute, TimeSpan? Eta)
{
    /// <summary>A run that is not finished but wrote nothing for this long is shown as inactive (stopped, or its process gone).</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(3);
    /// <summary>The rate is measured over the trainings settled in this window before the last one.</summary>
    static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(10);

    public static RunSummary Of(FollowedRun run, DateTime now)
    {
        var ev = run.State.Evolution!;
        var best = ev.Best;
        string state = run.Finished ? "finished" : now - run.LastActivity < Idle(run) ? "live" : "inactive";
        double? rate = Rate(run);
        int left = Math.Max(0, ev.Settings.MaxEvaluations - ev.Trained);
        TimeSpan? eta = state == "live" && rate is > 0 ? TimeSpan.FromMinutes(left / rate.Value) : null;
        return new RunSummary(run.Name, Cluster.Configuration.ConfigNames.Strategy[ev.Settings.Strategy], state, ev.Trained, ev.Settings.MaxEvaluations,
            ev.History.Count + ev.InFlight.Count, ev.InFlight.Count, best?.Fitness, best?.Proposal.Expression, best?.Id,
            run.State.StartedAt, run.LastActivity, rate, eta);
    }

    /// <summary>Slow trainings (a minute each on one trainer) must not make a live run look idle: allow a few of them.</summary>
    static TimeSpan Idle(FollowedRun run)
    {
        var recent = run.State.Evolution!.History.TakeLast(20).Where(e => e.Trained).Select(e => e.Seconds).Order().ToArray();
        var typical = recent.Length == 0 ? 0 : recent[recent.Length / 2];
        return TimeSpan.FromSeconds(Math.Max(IdleAfter.TotalSeconds, 5 * typical));
    }

    /// <summary>Trainings per minute over the last window of settled trainings (null with fewer than two).</summary>
    static double? Rate(FollowedRun run)
    {
        var s = run.Series;
        if (s.Count < 2) return null;
        var last = s[^1].At;
        int first = s.Count - 1;
        while (first > 0 && last - s[first - 1].At <= RateWindow) first--;
        var span = last - s[first].At;
        return span.TotalSeconds <= 0 ? null : (s.Count - 1 - first) / span.TotalMinutes;
    }

    public static IReadOnlyList<(string Status, int Count)> Shares(Evolution ev) =>
        new[] { EvaluationStatus.Completed, EvaluationStatus.Stopped, EvaluationStatus.Diverged, EvaluationStatus.Failed, EvaluationStatus.Rejected, EvaluationStatus.Deduplicated }
            .Select(s => (Cluster.Persistence.WireNames.Status[s], ev.Count(s))).ToArray();
}
