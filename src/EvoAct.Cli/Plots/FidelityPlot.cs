using EvoAct.Cluster.Transfer;
using ScottPlot;

namespace EvoAct.Cli.Plots;

/// <summary>`evoact fidelity`'s scatter: each activation's proxy mean validation accuracy against its target median test accuracy, with the seeds' sd as error bars.</summary>
public static class FidelityPlot
{
    public static string Write(string path, TransferPlan plan, FidelitySummary s)
    {
        var plot = new Plot();
        var ranked = s.Rows.Where(r => r.Ranked).ToArray();
        foreach (var r in ranked)
        {
            double x = r.ProxyMean!.Value, y = r.TargetMedian!.Value;
            double sx = r.ProxySd ?? 0, sy = r.TargetSd ?? 0;
            foreach (var bar in new[] { plot.Add.Line(x - sx, y, x + sx, y), plot.Add.Line(x, y - sy, x, y + sy) })
            {
                bar.Color = Colors.Gray.WithAlpha(0.6);
                bar.LineWidth = 1;
                bar.MarkerSize = 0;
            }
            var marker = plot.Add.Marker(x, y);
            marker.Color = Colors.SteelBlue;
            marker.Size = 8;
            var label = plot.Add.Text(r.Activation, x, y);
            label.LabelFontSize = 10;
            label.OffsetX = 6;
            label.OffsetY = -6;
        }
        plot.Title($"{plan.ProxyPreset} vs {plan.Preset}: Spearman {s.Spearman:F3} [{s.SpearmanInterval.Low:F3}, {s.SpearmanInterval.High:F3}], " +
                   $"Kendall {s.Kendall:F3}, {s.Ranked} activations");
        plot.XLabel($"proxy {plan.ProxyPreset}: mean validation accuracy (± sd over seeds)");
        plot.YLabel($"target {plan.Preset}: median test accuracy (± sd)");
        // Room on the right for the labels of the rightmost points, which are drawn beside them.
        plot.Axes.Margins(left: 0.05, right: 0.25, bottom: 0.08, top: 0.08);
        plot.SavePng(path, RunPlots.Width, RunPlots.Height);
        return path;
    }
}
