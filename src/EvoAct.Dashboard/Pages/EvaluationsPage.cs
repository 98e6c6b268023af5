using System.Text;
using EvoAct.Cluster.ReadSide;
using EvoAct.Search.Strategies;
using static EvoAct.Dashboard.Pages.Html;

namespace EvoAct.Dashboard.Pages;

/// <summary>All of a run's evaluations, newest first, a page at a time.</summary>
public static class EvaluationsPage
{
    public const int PageSize = 50;

    public static string Live(FollowedRun run, int page)
    {
        var h = run.State.Evolution!.History;
        int pages = Math.Max(1, (h.Count + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pages);
        var rows = Enumerable.Range(0, PageSize).Select(i => h.Count - 1 - (page - 1) * PageSize - i).Where(i => i >= 0).Select(i => h[i]).ToArray();
        var r = U(run.Name);
        var nav = new StringBuilder("<p class=\"pager\">");
        if (page > 1) nav.Append($"<a href=\"/runs/{r}/evaluations?page={page - 1}\">newer</a> ");
        nav.Append($"page {page} of {pages} ({h.Count} evaluations)");
        if (page < pages) nav.Append($" <a href=\"/runs/{r}/evaluations?page={page + 1}\">older</a>");
        nav.Append("</p>");
        return $"<h1>Evaluations of <a href=\"/runs/{r}\">{E(run.Name)}</a></h1>{nav}{Rows(run, rows)}{nav}";
    }

    public static string Rows(FollowedRun run, IReadOnlyList<Evaluation> rows)
    {
        var r = U(run.Name);
        return Table("evaluations", ["id", "status", "fitness", "expression", "parent", "mutation", "worker", "seconds"], rows.Select(e => Row(
            $"<a href=\"/runs/{r}/evaluations/{e.Id}\">#{e.Id}</a>", $"<span class=\"status {Cluster.Persistence.WireNames.Status[e.Status]}\">{Cluster.Persistence.WireNames.Status[e.Status]}</span>",
            Fit(e.Fitness), $"<code>{E(e.Proposal.Expression)}</code>",
            e.Proposal.ParentId is { } p ? $"<a href=\"/runs/{r}/evaluations/{p}\">#{p}</a>" : "-",
            E(e.Proposal.Mutation?.ToString() ?? "random"), E(e.Worker ?? "-"), Num(e.Seconds, "0.##"))));
    }
}
