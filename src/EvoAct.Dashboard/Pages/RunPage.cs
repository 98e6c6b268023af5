using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EvoAct.Cluster.ReadSide;
using EvoAct.Dashboard.Charts;
using EvoAct.Search.Strategies;
using static EvoAct.Dashboard.Pages.Html;

namespace EvoAct.Dashboard.Pages;

/// <summary>One run: progress, fitness over time, outcomes, leaderboard, population, workers, recent evaluations and its plan.</summary>
public static class RunPage
{
    public const int Leaders = 10;
    const int Recent = 15;

    public static string Live(FollowedRun run, DateTime now)
    {
        var s = RunSummary.Of(run, now);
        var ev = run.State.Evolution!;
        var r = U(run.Name);
        var sb = new StringBuilder();
        sb.Append($"<h1>Run <span id=\"run-name\">{E(run.Name)}</span> <span class=\"state {s.State}\">{s.State}</span></h1>");

        // Progress
        double share = s.MaxEvaluations == 0 ? 0 : Math.Min(1, (double)s.Trained / s.MaxEvaluations);
        sb.Append("<section class=\"progress\">");
        sb.Append($"<div class=\"bar\"><div style=\"width:{Num(share * 100, "0.##")}%\"></div></div>");
        sb.Append($"<p><b id=\"trainings\">{s.Trained}</b> of {s.MaxEvaluations} trainings · {s.InFlight} in flight · {s.Proposed} proposed · strategy {E(s.Strategy)}");
        if (ev.Enumeration is { } en) sb.Append($" · genome {en.Proposed} of {en.Of}");
        sb.Append($" · rate {(s.TrainingsPerMinute is { } rate ? $"{Num(rate, "0.##")}/min" : "-")}");
        sb.Append($" · ETA {(s.Eta is { } eta ? Duration(eta) : s.State == "finished" ? "done" : "-")}");
        sb.Append($" · started {Time(s.StartedAt)} · last activity <span title=\"{Time(s.LastActivity)}\">{Ago(s.LastActivity, now)}</span></p>");
        sb.Append(s.BestId is { } bestId
            ? $"<p class=\"best\">Best <a id=\"best-link\" href=\"/runs/{r}/evaluations/{bestId}\">#{bestId} <code>{E(s.BestExpression)}</code></a> <span class=\"fit\">{Fit(s.BestFitness)}</span></p>"
            : "<p class=\"best\">No completed evaluation yet.</p>");
        sb.Append("</section>");

        sb.Append($"<section><h2>Fitness over trainings</h2>{RunCharts.Fitness(run)}</section>");

        // Outcomes
        var shares = RunSummary.Shares(ev);
        int all = Math.Max(1, shares.Sum(x => x.Count));
        sb.Append("<section><h2>Outcomes</h2><div class=\"shares\">");
        foreach (var (status, count) in shares.Where(x => x.Count > 0))
            sb.Append($"<div class=\"share {status}\" style=\"flex:{count}\" title=\"{status}: {count}\"></div>");
        sb.Append("</div><p class=\"legend\">");
        foreach (var (status, count) in shares)
            sb.Append($"<span class=\"key {status}\"></span>{status} {count} ({Num(100.0 * count / all, "0.#")}%) ");
        sb.Append("</p></section>");

        // Leaderboard
        var leaders = Leaderboard.Of(run.State, Leaders);
        sb.Append("<section><h2>Leaderboard <small>(distinct functions)</small></h2>");
        sb.Append(Table("leaders", ["rank", "id", "fitness", "mean ± sd (seeds)", "expression", "f and f' on [-5, 5] beside ReLU, Swish"],
            leaders.Select((row, i) => Row($"{i + 1}", $"<a href=\"/runs/{r}/evaluations/{row.Evaluation.Id}\">#{row.Evaluation.Id}</a>",
                $"<span class=\"fit\">{Fit(row.Evaluation.Fitness)}</span>",
                $"{Fit(row.Mean)} ± {(row.Sd is { } sd ? Num(sd, "0.0000") : "-")} ({row.Seeds}{(row.Function.Checked ? ", checked" : "")})",
                $"<code>{E(row.Evaluation.Proposal.Expression)}</code>", ActivationPlot.Svg(row.Evaluation.Proposal.Expression, 150, 56)))));
        sb.Append("</section>");

        // Population
        var population = RunStatusJson.PopulationWithAges(run.State).OrderByDescending(p => p.Member.Fitness).ToArray();
        sb.Append($"<section><h2>Population <small>({population.Length})</small></h2><div class=\"scroll\">");
        sb.Append(Table("population", ["id", "fitness", "age", "expression"], population.Select(p => Row(
            $"<a href=\"/runs/{r}/evaluations/{p.Member.Id}\">#{p.Member.Id}</a>", Fit(p.Member.Fitness), $"{p.Age}", $"<code>{E(p.Member.Evaluation.Proposal.Expression)}</code>"))));
        sb.Append("</div></section>");

        sb.Append(Workers(run, now));

        // Recent evaluations
        var recent = ev.History.TakeLast(Recent).Reverse().ToArray();
        sb.Append($"<section><h2>Recent evaluations</h2><p><a href=\"/runs/{r}/evaluations\">All {ev.History.Count} evaluations</a></p>");
        sb.Append(EvaluationsPage.Rows(run, recent));
        sb.Append("</section>");

        sb.Append(Configuration(run));
        return sb.ToString();
    }

    /// <summary>
    /// Who trains what, on which device, since when, from the journal: each hand-out is journaled
    /// (<see cref="Cluster.Persistence.CandidateDispatched"/>), so an in-flight candidate names its
    /// trainer at once; each worker's row adds its trainings and its last settled one. A candidate
    /// from a journal written before hand-outs were journaled shows "-" until it settles.
    /// </summary>
    static string Workers(FollowedRun run, DateTime now)
    {
        var ev = run.State.Evolution!;
        var r = U(run.Name);
        var dispatched = run.State.Dispatched;
        var inFlight = ev.InFlight.OrderBy(p => p.Id).ToArray();
        var current = inFlight.Where(p => dispatched.ContainsKey(p.Id)).GroupBy(p => dispatched[p.Id].Worker)
            .ToDictionary(g => g.Key, g => g.MaxBy(p => dispatched[p.Id].At)!);
        var trained = ev.History.Where(e => e.Trained && e.Worker is not null).GroupBy(e => e.Worker!).ToDictionary(g => g.Key, g => g.ToArray());
        var names = trained.Keys.Union(current.Keys).Order(StringComparer.Ordinal).ToArray();
        string Device(string worker) => string.Join(", ",
            (current.TryGetValue(worker, out var c) ? [dispatched[c.Id].Device] : Array.Empty<string?>())
            .Concat(trained.GetValueOrDefault(worker, []).Select(e => run.State.Devices.GetValueOrDefault(e.Id)))
            .Where(d => d is not null).Distinct());
        string Link(long id, string expression) => $"<a href=\"/runs/{r}/evaluations/{id}\"><code>{E(expression)}</code></a>";

        var sb = new StringBuilder("<section><h2>Workers</h2>");
        sb.Append(Table("workers", ["worker", "device", "training now", "since", "trainings", "last settled", "last candidate"], names.Select(w =>
        {
            var done = trained.GetValueOrDefault(w, []);
            var last = done.Length == 0 ? null : done.MaxBy(e => run.State.SettledAt.GetValueOrDefault(e.Id));
            var busy = current.GetValueOrDefault(w);
            return Row(E(w), E(Device(w) is { Length: > 0 } d ? d : "-"),
                busy is null ? "-" : Link(busy.Id, busy.Expression), busy is null ? "-" : Ago(dispatched[busy.Id].At, now),
                $"{done.Length}", last is null ? "-" : Ago(run.State.SettledAt.GetValueOrDefault(last.Id), now),
                last is null ? "-" : Link(last.Id, last.Proposal.Expression));
        })));
        sb.Append($"<h3>In flight ({inFlight.Length})</h3>");
        sb.Append(Table("in-flight", ["id", "expression", "worker", "device", "since", "rung"], inFlight.Take(50).Select(p =>
        {
            var d = dispatched.GetValueOrDefault(p.Id);
            var since = d?.At ?? run.State.ProposedAt.GetValueOrDefault(p.Id);
            return Row($"#{p.Id}", $"<code>{E(p.Expression)}</code>", E(d?.Worker ?? "-"), E(d?.Device ?? "-"),
                since == default ? "-" : Ago(since, now), ev.Settings.Fidelity is { } f ? $"{ev.RungOf(p.Id) + 1} of {f.Rungs.Count}" : "-");
        })));
        return sb.Append("</section>").ToString();
    }

    static readonly JsonSerializerOptions PlanJson = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string PlanText(Cluster.Persistence.RunPlan plan)
    {
        try { return JsonSerializer.Serialize(plan, PlanJson); }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException) { return plan.ToString(); }
    }

    static string Configuration(FollowedRun run)
    {
        var sb = new StringBuilder("<section><h2>Configuration</h2>");
        if (run.Reconfigurations.Count == 0) sb.Append("<p>Not changed since the run started.</p>");
        else
        {
            sb.Append("<p>Changed on resume:</p><ul class=\"changes\">");
            foreach (var c in run.Reconfigurations) sb.Append($"<li>{Time(c.At)}: {E(string.Join("; ", c.Changes))}</li>");
            sb.Append("</ul>");
        }
        sb.Append($"<details><summary>The run's plan (as journaled{(run.Reconfigurations.Count > 0 ? ", with the changes" : "")})</summary><pre class=\"plan\">{E(PlanText(run.State.Plan!))}</pre></details>");
        return sb.Append("</section>").ToString();
    }
}
