using System.Collections.Concurrent;
using EvoAct.Search.Expressions;

namespace EvoAct.Dashboard.Charts;

/// <summary>
/// A small plot of an activation and its derivative over [-5, 5], beside ReLU and Swish, as the
/// leaderboard shows it. The derivative is exact (dual numbers, as the filter computes it). Plots are
/// cached by expression: a leaderboard redrawn on every update draws each function once.
/// </summary>
public static class ActivationPlot
{
    static readonly ConcurrentDictionary<string, string> Cache = new();
    const int Points = 51;

    public static string Svg(string expression, int width = 180, int height = 90) =>
        Cache.Count > 4096 ? Draw(expression, width, height) : Cache.GetOrAdd($"{expression}|{width}x{height}", _ => Draw(expression, width, height));

    static string Draw(string expression, int width, int height)
    {
        Expr expr;
        try { expr = ExpressionParser.Parse(expression); }
        catch (ParseException) { return ""; }
        var xs = Enumerable.Range(0, Points).Select(i => -5 + 10.0 * i / (Points - 1)).ToArray();
        var f = xs.Select(x => ExpressionEvaluator.Evaluate(expr, x)).ToArray();
        var values = f.SelectMany(d => new[] { d.Value, d.Derivative }).Concat(xs.Select(x => Math.Max(0, x))).Where(double.IsFinite).ToArray();
        // The y range of the baselines, widened to the function's values but clipped, so a function that explodes stays readable.
        double lo = Math.Max(-6, Math.Min(-1, values.DefaultIfEmpty(-1).Min())), hi = Math.Min(8, Math.Max(5, values.DefaultIfEmpty(5).Max()));
        var chart = new SvgChart(width, height, (-5, 5), (lo, hi), compact: true);
        chart.Rule(0, "#ddd");
        chart.Line(xs.Select(x => (x, Math.Max(0, x))), "#bbb", strokeWidth: 1);
        chart.Line(xs.Select(x => (x, x / (1 + Math.Exp(-x)))), "#f2b880", strokeWidth: 1);
        chart.Line(xs.Zip(f, (x, d) => (x, d.Derivative)), "#7fb07f", strokeWidth: 1.2, dash: "3,2");
        chart.Line(xs.Zip(f, (x, d) => (x, d.Value)), "#1f5fbf", strokeWidth: 1.8);
        return chart.Render($"{expression} (blue), its derivative (green, dashed), ReLU (grey) and Swish (orange) over [-5, 5]");
    }
}
