using EvoAct.Cluster.Messages;
using EvoAct.Cluster.ReadSide;
using EvoAct.Search.Strategies;

namespace EvoAct.Dashboard.Charts;

/// <summary>The run-level charts: fitness over trainings, runs compared, and learning curves.</summary>
public static class RunCharts
{
    static readonly string[] Palette = ["#1f5fbf", "#d9622b", "#2e9b48", "#9b3fb5", "#b59b1f", "#1fa5b5", "#b51f4f", "#555555"];

    /// <summary>Every trained evaluation (a cloud), the best so far and the population's median, against trainings.</summary>
    public static string Fitness(FollowedRun run, int width = 900, int height = 300)
    {
        var s = run.Series;
        var fit = s.Where(p => p.Fitness is { } f && double.IsFinite(f)).Select(p => p.Fitness!.Value).ToArray();
        // Failed candidates score far below the rest; show the range that holds the search's real contest.
        double hi = fit.DefaultIfEmpty(1).Max(), lo = fit.Length == 0 ? 0 : Quantile(fit, 0.05);
        lo = Math.Max(fit.DefaultIfEmpty(0).Min(), lo - (hi - lo) * 0.1);
        var chart = new SvgChart(width, height, (0, Math.Max(1, s.Count)), (lo, hi + (hi - lo) * 0.03), "trainings", "validation accuracy");
        chart.Cloud(s.Where(p => p.Status == EvaluationStatus.Completed).Select(p => ((double)p.Training, p.Fitness ?? double.NaN)), "#5b82c0", "evaluation");
        chart.Cloud(s.Where(p => p.Status == EvaluationStatus.Stopped).Select(p => ((double)p.Training, p.Fitness ?? double.NaN)), "#d9b38a", s.Any(p => p.Status == EvaluationStatus.Stopped) ? "stopped at a rung" : null);
        chart.Line(s.Select(p => ((double)p.Training, p.PopulationMedian ?? double.NaN)), "#2e9b48", "population median");
        chart.Line(s.Select(p => ((double)p.Training, p.Best ?? double.NaN)), "#b51f4f", "best so far", 2, step: true);
        return chart.Render($"fitness of {run.Name} over trainings");
    }

    /// <summary>Best so far against trainings, one line per run.</summary>
    public static string Compare(IReadOnlyList<FollowedRun> runs, int width = 900, int height = 280)
    {
        var best = runs.SelectMany(r => r.Series).Select(p => p.Best).Where(b => b is { } v && double.IsFinite(v)).Select(b => b!.Value).ToArray();
        double hi = best.DefaultIfEmpty(1).Max(), lo = best.Length == 0 ? 0 : Quantile(best, 0.02);
        var chart = new SvgChart(width, height, (0, Math.Max(1, runs.Select(r => r.Series.Count).DefaultIfEmpty(1).Max())), (lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05), "trainings", "best so far");
        for (int i = 0; i < runs.Count; i++)
            chart.Line(runs[i].Series.Select(p => ((double)p.Training, p.Best ?? double.NaN)), Palette[i % Palette.Length], runs[i].Name, 2, step: true);
        return chart.Render("best fitness so far against trainings, per run");
    }

    /// <summary>Validation accuracy at each recorded fraction of the budget, one line per training seed.</summary>
    public static string Curve(IReadOnlyList<SeedResult> seeds, int width = 520, int height = 220)
    {
        var points = seeds.SelectMany(s => s.Curve ?? []).Select(p => p.Accuracy).Where(double.IsFinite).ToArray();
        if (points.Length == 0) return "";
        var chart = new SvgChart(width, height, (0, 1), (points.Min(), points.Max()), "fraction of the training budget", "validation accuracy");
        for (int i = 0; i < seeds.Count; i++)
            chart.Line((seeds[i].Curve ?? []).Select(p => (p.Fraction, p.Accuracy)), Palette[i % Palette.Length], $"seed {seeds[i].Seed}", 2);
        return chart.Render("learning curve");
    }

    static double Quantile(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Clamp(Math.Floor(q * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }
}
