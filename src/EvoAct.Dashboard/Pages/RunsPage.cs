using EvoAct.Cluster.ReadSide;
using static EvoAct.Dashboard.Pages.Html;

namespace EvoAct.Dashboard.Pages;

/// <summary>The front page: one row per run, with the best so far; a chart compares the runs ticked.</summary>
public static class RunsPage
{
    public static string Live(JournalFollower follower, DateTime now)
    {
        var runs = follower.Runs;
        if (runs.Count == 0)
            return "<h1>Runs</h1><p class=\"empty\" id=\"no-runs\">No runs in this journal yet. Start one (<code>evoact run --data DIR</code>); it shows up here within seconds.</p>";
        RunSummary[] rows;
        string compare;
        lock (follower.Gate)
        {
            rows = runs.Select(r => RunSummary.Of(r, now)).ToArray();
            compare = Charts.RunCharts.Compare(runs.Take(8).ToArray());
        }
        var table = Table("runs", ["compare", "run", "strategy", "state", "trainings", "best", "best expression", "started", "last activity"],
            rows.Select(s => Row(
                $"<input type=\"checkbox\" class=\"compare\" value=\"{E(s.Name)}\" aria-label=\"compare {E(s.Name)}\">",
                $"<a href=\"/runs/{U(s.Name)}\">{E(s.Name)}</a>",
                E(s.Strategy),
                $"<span class=\"state {s.State}\">{s.State}</span>",
                $"<span class=\"trained\">{s.Trained}</span> / {s.MaxEvaluations}",
                $"<span class=\"fit\">{Fit(s.BestFitness)}</span>",
                s.BestId is { } id ? $"<a href=\"/runs/{U(s.Name)}/evaluations/{id}\"><code>{E(s.BestExpression)}</code></a>" : "-",
                Time(s.StartedAt),
                $"<span title=\"{Time(s.LastActivity)}\">{Ago(s.LastActivity, now)}</span>")));
        return $"<h1>Runs</h1>{table}<h2>Best so far, runs compared</h2><p class=\"hint\">Tick runs above to compare them.</p>" +
               $"<div id=\"compare-chart\" data-src=\"/charts/compare\">{compare}</div>";
    }
}
