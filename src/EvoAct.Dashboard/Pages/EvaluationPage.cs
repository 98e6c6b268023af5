using System.Text;
using EvoAct.Cluster.ReadSide;
using EvoAct.Dashboard.Charts;
using static EvoAct.Dashboard.Pages.Html;

namespace EvoAct.Dashboard.Pages;

/// <summary>One evaluation: its outcome, lineage, learning curve, filter verdict, fingerprint and code.</summary>
public static class EvaluationPage
{
    public static string Live(FollowedRun run, EvaluationDetail d)
    {
        var e = d.Evaluation;
        var r = U(run.Name);
        var status = Cluster.Persistence.WireNames.Status[e.Status];
        var sb = new StringBuilder();
        sb.Append($"<h1>Evaluation #{e.Id} of <a href=\"/runs/{r}\">{E(run.Name)}</a></h1>");
        sb.Append($"<p class=\"expression\"><code id=\"expression\">{E(e.Proposal.Expression)}</code></p>");
        sb.Append("<section class=\"facts\"><dl>");
        void Fact(string k, string v) => sb.Append($"<dt>{E(k)}</dt><dd>{v}</dd>");
        Fact("status", $"<span class=\"status {status}\">{status}</span>{(e.Reason is null ? "" : $" ({E(e.Reason)})")}");
        Fact("fitness", $"<span class=\"fit\">{Fit(e.Fitness)}</span>{(e.Fraction < 1 ? $" at {Num(e.Fraction * 100, "0.#")}% of the budget (a rung)" : "")}");
        Fact("filter", $"<span id=\"filter\">{E(d.Filter)}</span>");
        Fact("fingerprint", $"<code id=\"fingerprint\">{E(e.Proposal.Fingerprint)}</code>");
        Fact("genome", $"<code>{E(d.Row.Genome)}</code>");
        Fact("worker", E(e.Worker ?? "-") + (d.Row.Device is null ? "" : $" on {E(d.Row.Device)}"));
        Fact("seconds", Num(e.Seconds, "0.##"));
        Fact("proposed", Time(d.Row.ProposedAt));
        Fact("settled", Time(d.Row.SettledAt));
        sb.Append("</dl>");
        sb.Append(ActivationPlot.Svg(e.Proposal.Expression, 300, 150));
        sb.Append("</section>");

        // Lineage: this evaluation, then each parent, with the mutation that led from it to its child.
        sb.Append("<section><h2>Lineage</h2>");
        if (d.Lineage.Count == 0) sb.Append($"<p id=\"lineage\">{(e.Proposal.ParentId is null ? "A random genome: no parent." : "Its parent is not in this run's history.")}</p>");
        else
        {
            sb.Append("<ol id=\"lineage\" class=\"lineage\">");
            sb.Append($"<li><b>#{e.Id}</b> <code>{E(e.Proposal.Expression)}</code> {Fit(e.Fitness)}</li>");
            // The nearest ancestors in view; a long chain's older part folded away.
            const int Shown = 12;
            for (int i = 0; i < d.Lineage.Count; i++)
            {
                var step = d.Lineage[i];
                if (i == Shown) sb.Append($"</ol><details><summary>{d.Lineage.Count - Shown} older ancestors</summary><ol class=\"lineage\">");
                sb.Append($"<li class=\"mutation\">↑ {E(step.Mutation)}</li><li><a href=\"/runs/{r}/evaluations/{step.Id}\">#{step.Id}</a> <code>{E(step.Expression)}</code> {Fit(step.Fitness)} <small>{E(step.Status)}</small></li>");
            }
            sb.Append(d.Lineage.Count > Shown ? "</ol></details>" : "</ol>");
            if (d.Lineage.Count >= EvaluationDetail.MaxLineage) sb.Append($"<p>Cut at {EvaluationDetail.MaxLineage} ancestors.</p>");
        }
        sb.Append("</section>");

        sb.Append("<section><h2>Trainings</h2>");
        if (d.Trainings.Count == 0) sb.Append("<p>No training recorded (a free candidate, or a journal from before trainings were recorded).</p>");
        else
        {
            sb.Append(Table("trainings", ["seed", "status", "validation accuracy", "loss", "test accuracy", "seconds"], d.Trainings.Select(t => Row(
                $"{t.Seed}", E(t.Status), Fit(t.Accuracy), Fit(t.Loss), Fit(t.TestAccuracy), Num(t.Seconds, "0.##")))));
            var curve = RunCharts.Curve(d.Trainings);
            sb.Append(curve.Length == 0 ? "<p>No learning curve recorded.</p>" : $"<div id=\"curve\">{curve}</div>");
        }
        sb.Append("</section>");

        if (d.PyTorch is not null)
        {
            sb.Append("<section><h2>Code</h2>");
            sb.Append($"<h3>PyTorch <button type=\"button\" data-copy=\"code-pytorch\">copy</button></h3><pre id=\"code-pytorch\" class=\"code\">{E(d.PyTorch)}</pre>");
            sb.Append($"<h3>TorchSharp <button type=\"button\" data-copy=\"code-torchsharp\">copy</button></h3><pre id=\"code-torchsharp\" class=\"code\">{E(d.TorchSharp)}</pre>");
            sb.Append("</section>");
        }
        return sb.ToString();
    }
}
