using EvoAct.Cluster.Transfer;
using ScottPlot;

namespace EvoAct.Cli.Plots;

/// <summary>
/// `evoact transfer`'s table as a strip plot: one row per activation (best median on top), a dot per
/// run's test accuracy and a bar at the median, with relu's median as a dashed line, so "beats ReLU
/// beyond the seed spread" can be seen: the dots, not only the medians, sit to the right of the line.
/// </summary>
public static class TransferPlot
{
    public static string Write(string path, TransferPlan plan, IReadOnlyList<TransferRow> rows)
    {
        var plot = new Plot();
        var versus = TransferReport.Compare(rows);
        var positions = new double[rows.Count];
        var labels = new string[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            double y = rows.Count - 1 - i; // best on top
            positions[i] = y;
            var c = versus.GetValueOrDefault(r.Activation);
            labels[i] = r.Activation + (r.Failed > 0 ? $" ({r.Failed} failed)" : "") + (c is null ? "" : $"  p {c.PValue}");
            var runs = r.TestAccuracies;
            for (int k = 0; k < runs.Count; k++)
            {
                // Spread a row's runs a little in y, so equal accuracies do not hide each other.
                var dot = plot.Add.Marker(runs[k], y + (k - (runs.Count - 1) / 2.0) * 0.08);
                dot.Color = Colors.SteelBlue.WithAlpha(0.8);
                dot.Size = 7;
            }
            if (r.Median is { } m)
            {
                var bar = plot.Add.Line(m, y - 0.35, m, y + 0.35);
                bar.Color = Colors.Black;
                bar.LineWidth = 2;
                bar.MarkerSize = 0;
            }
        }
        if (versus.Count > 0 && rows.FirstOrDefault(r => r.Activation == versus.Values.First().Reference)?.Median is { } reference)
        {
            var line = plot.Add.VerticalLine(reference);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Gray;
            line.LineWidth = 1;
        }
        plot.Axes.Left.SetTicks(positions, labels);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        var t = plan.Training;
        plot.Title($"Transfer of run '{plan.SourceRun}' to {plan.Preset} ({t.Model}, {t.Data.Name})");
        plot.XLabel("test accuracy (dots: runs, bar: median" + (versus.Count > 0 ? $", dashed: {versus.Values.First().Reference}'s median; p: rank-sum test)" : ")"));
        plot.Axes.Bottom.Label.FontSize = 13;
        plot.Axes.Margins(left: 0.05, right: 0.05, bottom: 0.08, top: 0.08);
        plot.SavePng(path, RunPlots.Width, Math.Max(RunPlots.Height / 2, 80 + 45 * rows.Count));
        return path;
    }
}
