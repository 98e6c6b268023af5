using EvoAct.Cluster.Tables;
using ScottPlot;

namespace EvoAct.Cli.Plots;

/// <summary>
/// `bench search --out`: per strategy, the median best true fitness found against the training steps
/// spent, with its interquartile band. Steps, not trainings, so that a strategy whose candidates stop
/// at early rungs is drawn at the compute it really used.
/// </summary>
public static class RegretPlot
{
    public static string Write(string path, BenchmarkTable table, IReadOnlyList<StrategySummary> summaries)
    {
        var plot = new Plot();
        // A table without learning curves does not know its steps: then the unit is one training.
        int perTraining = Math.Max(1, table.StepsPerTraining);
        var palette = new ScottPlot.Palettes.Category10();
        for (int k = 0; k < summaries.Count; k++)
        {
            var s = summaries[k];
            var points = s.BestTrueFitnessByTraining.Select((b, i) => (X: (i + 1.0) * perTraining, b.Median, b.Q1, b.Q3)).Where(p => double.IsFinite(p.Median)).ToArray();
            if (points.Length == 0) continue;
            var color = palette.GetColor(k);
            var xs = points.Select(p => p.X).ToArray();
            var band = plot.Add.FillY(xs, points.Select(p => p.Q3).ToArray(), points.Select(p => p.Q1).ToArray());
            band.FillStyle.Color = color.WithAlpha(0.2);
            band.LineStyle.Width = 0;
            var line = plot.Add.ScatterLine(xs, points.Select(p => p.Median).ToArray());
            line.Color = color;
            line.LineWidth = 2;
            line.LegendText = $"{s.Strategy} (median of {s.Seeds} seeds, IQR shaded)";
        }
        foreach (var (share, label) in new[] { (0.01, "top 1%"), (0.001, "top 0.1%") })
        {
            var h = plot.Add.HorizontalLine(table.TopThreshold(share));
            h.LinePattern = LinePattern.Dashed;
            h.Color = Colors.Gray;
            h.LineWidth = 1;
            h.LegendText = $"{label} of the table ({table.TopThreshold(share):F4})";
        }
        plot.Title($"Best true fitness found vs training steps on {Path.GetFileName(table.Name)} ({table.Functions.Count} functions)");
        plot.XLabel(table.StepsPerTraining > 0 ? $"training steps spent ({table.StepsPerTraining} per full training)" : "trainings spent");
        plot.YLabel("best true fitness found (mean over the table's seeds)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, RunPlots.Width, RunPlots.Height);
        return path;
    }
}
