using System.Text;
using EvoAct.Cluster.ReadSide;
using EvoAct.Cluster.Transfer;
using static EvoAct.Dashboard.Pages.Html;

namespace EvoAct.Dashboard.Pages;

/// <summary>Each transfer's Table-1 report: test accuracy per activation over its seeds.</summary>
public static class TransfersPage
{
    public static string Live(JournalFollower follower, DateTime now)
    {
        var transfers = follower.Transfers;
        var sb = new StringBuilder("<h1>Transfers</h1>");
        if (transfers.Count == 0) sb.Append("<p class=\"empty\">No transfers in this journal. <code>evoact transfer --run NAME --preset P</code> retrains a run's best on a bigger network.</p>");
        lock (follower.Gate)
            foreach (var t in transfers.Where(t => t.Plan is not null))
            {
                var rows = TransferReport.Rows(t.Plan!, t.Done);
                sb.Append($"<section class=\"transfer\"><h2 id=\"transfer-{E(t.Name)}\">{E(t.Name)}</h2>");
                sb.Append($"<p>from run <a href=\"/runs/{U(t.Plan!.SourceRun)}\">{E(t.Plan.SourceRun)}</a> · preset {E(t.Plan.Preset)} · {t.Done.Count} of {t.Plan.Jobs.Count} trainings {(t.Finished ? "(finished)" : "")} · last activity {Ago(t.LastActivity, now)}</p>");
                // Against relu when the table has it: the median difference with its bootstrap interval, and the rank-sum p.
                var versus = TransferReport.Compare(rows);
                string reference = versus.Values.FirstOrDefault()?.Reference ?? "relu";
                sb.Append(Table("report", ["activation", "median test accuracy", "min", "max", "seeds", "failed", $"vs {reference} (95% interval)", "p"], rows.Select(x =>
                {
                    var c = versus.GetValueOrDefault(x.Activation);
                    string diff = c?.Difference ?? (versus.Count > 0 && x.Activation == reference ? "reference" : "-");
                    return Row($"<code>{E(x.Activation)}</code>", Fit(x.Median), Fit(x.Min), Fit(x.Max), $"{x.TestAccuracies.Count}", $"{x.Failed}",
                               diff, c?.PValue ?? "-");
                })));
                sb.Append("</section>");
            }
        return sb.ToString();
    }
}
