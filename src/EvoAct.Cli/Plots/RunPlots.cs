using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;
using EvoAct.Search.Expressions;
using ScottPlot;

namespace EvoAct.Cli.Plots;

/// <summary>
/// The PNGs of `evoact plot`: what the best activations look like (and their slopes) beside ReLU and
/// Swish, how fitness evolved, and how many candidates were free (failed, rejected, deduplicated).
/// </summary>
public static class RunPlots
{
    public const int Width = 1000, Height = 650;

    public static IReadOnlyList<string> Write(string run, IReadOnlyList<IRunEvent> events, string outDir, int topK)
    {
        Directory.CreateDirectory(outDir);
        var replay = Replay(events);
        var state = replay.Final;
        var top = Cluster.ReadSide.Leaderboard.Of(state, topK).Select(row => row.Evaluation).ToArray();
        return
        [
            Curves(Path.Combine(outDir, "activations.png"), run, top, derivative: false),
            Curves(Path.Combine(outDir, "derivatives.png"), run, top, derivative: true),
            Fitness(Path.Combine(outDir, "fitness.png"), run, replay),
            Outcomes(Path.Combine(outDir, "outcomes.png"), run, state.Evolution.History),
        ];
    }

    static string Curves(string path, string run, IReadOnlyList<Evaluation> top, bool derivative)
    {
        var plot = new Plot();
        var xs = Enumerable.Range(0, 401).Select(i => -5 + i * 0.025).ToArray();
        void Line(string label, Expr e, LinePattern pattern, float width)
        {
            var ys = xs.Select(x => { var d = ExpressionEvaluator.Evaluate(e, x); return derivative ? d.Derivative : d.Value; }).ToArray();
            // Clip wild values so one exploding curve does not flatten the rest.
            var clipped = ys.Select(y => double.IsFinite(y) ? Math.Clamp(y, -10, 10) : double.NaN).ToArray();
            var line = plot.Add.ScatterLine(xs, clipped);
            line.LegendText = label;
            line.LinePattern = pattern;
            line.LineWidth = width;
        }
        Line("ReLU (baseline)", ExpressionParser.Parse("relu(x)"), LinePattern.Dashed, 2);
        Line("Swish x*sigmoid(x) (baseline)", ExpressionParser.Parse("x * sigmoid(x)"), LinePattern.Dotted, 2);
        for (int i = 0; i < top.Count; i++)
            Line($"#{i + 1} {Shorten(top[i].Proposal.Expression)}  (fitness {top[i].Fitness:F4})", top[i].Proposal.Genome.ToExpr(), LinePattern.Solid, 2.5f);
        plot.Title(derivative ? $"Derivatives d/dx of the top {top.Count} activations of run '{run}' (beta = 1)"
                              : $"Top {top.Count} activations of run '{run}' (beta = 1)");
        plot.XLabel("pre-activation x");
        plot.YLabel(derivative ? "slope f'(x)" : "activation f(x)");
        plot.Axes.SetLimitsY(derivative ? -2 : -3, derivative ? 3 : 6);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
        return path;
    }

    static string Fitness(string path, string run, ReplayResult replay)
    {
        var plot = new Plot();
        var points = replay.Settled.Where(p => p.Fitness is not null && !p.Stopped).ToArray();
        var dots = plot.Add.ScatterPoints(points.Select(p => (double)p.Index).ToArray(), points.Select(p => p.Fitness!.Value).ToArray());
        dots.LegendText = "fitness of each trained candidate";
        dots.MarkerSize = 4;
        dots.Color = Colors.Gray.WithAlpha(0.6);
        // Multi-fidelity: a stopped candidate's score is its rung's, not a full-budget fitness: drawn apart, never the best.
        var stopped = replay.Settled.Where(p => p.Fitness is not null && p.Stopped).ToArray();
        if (stopped.Length > 0)
        {
            var marks = plot.Add.ScatterPoints(stopped.Select(p => (double)p.Index).ToArray(), stopped.Select(p => p.Fitness!.Value).ToArray());
            marks.LegendText = "score at the rung where a candidate was stopped";
            marks.MarkerSize = 3;
            marks.MarkerShape = MarkerShape.OpenCircle;
            marks.Color = Colors.Orange.WithAlpha(0.6);
        }
        var best = plot.Add.ScatterLine(replay.Settled.Select(p => (double)p.Index).ToArray(), replay.Settled.Select(p => p.BestSoFar ?? double.NaN).ToArray());
        best.LegendText = "best so far";
        best.LineWidth = 2.5f;
        var median = plot.Add.ScatterLine(replay.Settled.Select(p => (double)p.Index).ToArray(), replay.Settled.Select(p => p.PopulationMedian ?? double.NaN).ToArray());
        median.LegendText = "population median";
        median.LineWidth = 2;
        median.LinePattern = LinePattern.Dashed;
        plot.Title($"Fitness over the search, run '{run}'");
        plot.XLabel("evaluation: trained or deduplicated, in the order results arrived");
        plot.YLabel("fitness (validation accuracy)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
        return path;
    }

    static string Outcomes(string path, string run, IReadOnlyList<Evaluation> history)
    {
        var plot = new Plot();
        const int window = 50;
        var xs = Enumerable.Range(1, history.Count).Select(i => (double)i).ToArray();
        void Share(string label, Func<Evaluation, bool> which)
        {
            var ys = new double[history.Count];
            for (int i = 0; i < history.Count; i++)
            {
                int from = Math.Max(0, i - window + 1);
                ys[i] = 100.0 * history.Skip(from).Take(i - from + 1).Count(which) / (i - from + 1);
            }
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = label;
            line.LineWidth = 2;
        }
        Share("failed or diverged (trained, no fitness)", e => e.Status is EvaluationStatus.Failed or EvaluationStatus.Diverged);
        Share("rejected by the filter (not trained)", e => e.Status == EvaluationStatus.Rejected);
        Share("deduplicated (known function, not trained)", e => e.Status == EvaluationStatus.Deduplicated);
        if (history.Any(e => e.Status == EvaluationStatus.Stopped))
            Share("stopped at a rung (multi-fidelity: trained part of the budget)", e => e.Status == EvaluationStatus.Stopped);
        plot.Title($"Share of candidates that cost no useful training, run '{run}' (last {window} proposals)");
        plot.XLabel("proposal");
        plot.YLabel("share of the last 50 proposals (%)");
        plot.Axes.SetLimitsY(0, 100);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
        return path;
    }

    static string Shorten(string s) => s.Length <= 48 ? s : s[..45] + "...";

    sealed record SettledPoint(int Index, double? Fitness, double? BestSoFar, double? PopulationMedian, bool Stopped);

    sealed record ReplayResult(RunState Final, IReadOnlyList<SettledPoint> Settled);

    /// <summary>Fold the events one by one, noting the best and the population median after each settlement.</summary>
    static ReplayResult Replay(IReadOnlyList<IRunEvent> events)
    {
        var state = new RunState();
        var points = new List<SettledPoint>();
        double? best = null;
        foreach (var e in RunState.OneByOne(events))
        {
            var settled = state.Apply(e);
            if (settled is null || !settled.Trained && settled.Status != EvaluationStatus.Deduplicated) continue;
            bool stopped = settled.Status == EvaluationStatus.Stopped;
            if (!stopped && settled.Fitness is { } f && (best is null || f > best)) best = f;
            var fit = state.Evolution!.Population.Select(i => i.Fitness).Where(double.IsFinite).Order().ToArray();
            points.Add(new SettledPoint(points.Count + 1, settled.Trained ? settled.Fitness : null, best, fit.Length > 0 ? fit[fit.Length / 2] : null, stopped));
        }
        return new ReplayResult(state, points);
    }
}
