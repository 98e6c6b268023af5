using System.Globalization;
using System.Text;

namespace EvoAct.Dashboard.Charts;

/// <summary>
/// A chart drawn on the server as SVG: axes with round ticks, lines and a point cloud. Whatever the
/// number of points, what it emits is bounded by its size in pixels: a line keeps one point per pixel
/// column, and a cloud one mark per occupied cell, its opacity the count. So a run of 10,000
/// evaluations costs a page the same few kilobytes as one of 1,000.
/// </summary>
/// <param name="compact">no axes, no margins: a sparkline</param>
public sealed class SvgChart(int width, int height, (double Min, double Max) x, (double Min, double Max) y, string? xLabel = null, string? yLabel = null, bool compact = false)
{
    readonly int Left = compact ? 2 : 48, Right = compact ? 2 : 12, Top = compact ? 2 : 10, Bottom = compact ? 2 : 30;
    readonly StringBuilder body = new();
    readonly List<(string Label, string Color, string? Dash)> legend = new();
    readonly (double Min, double Max) xr = Widen(x), yr = Widen(y);

    double Px(double v) => Left + (v - xr.Min) / (xr.Max - xr.Min) * (width - Left - Right);
    double Py(double v) => Top + (1 - (v - yr.Min) / (yr.Max - yr.Min)) * (height - Top - Bottom);

    static (double, double) Widen((double Min, double Max) r) =>
        !double.IsFinite(r.Min) || !double.IsFinite(r.Max) ? (0, 1) : r.Max > r.Min ? r : (r.Min - 0.5, r.Max + 0.5);

    static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    /// <param name="step">a staircase (a best-so-far curve): each value holds until the next point</param>
    public SvgChart Line(IEnumerable<(double X, double Y)> points, string color, string? label = null, double strokeWidth = 1.5, string? dash = null, bool step = false)
    {
        var kept = new List<(double X, double Y)>();
        int lastColumn = int.MinValue;
        foreach (var (px, py) in points)
        {
            if (!double.IsFinite(px) || !double.IsFinite(py)) continue;
            var p = (Px(px), Py(Math.Clamp(py, yr.Min, yr.Max)));
            int column = (int)p.Item1;
            if (column == lastColumn) kept[^1] = p; // one point per pixel column: its last
            else kept.Add(p);
            lastColumn = column;
        }
        if (kept.Count == 0) return this;
        var d = new StringBuilder($"M{F(kept[0].X)},{F(kept[0].Y)}");
        for (int i = 1; i < kept.Count; i++)
        {
            if (step) d.Append($"H{F(kept[i].X)}");
            d.Append($"{(step ? "V" : "L")}{(step ? F(kept[i].Y) : $"{F(kept[i].X)},{F(kept[i].Y)}")}");
        }
        if (step) d.Append($"H{F(width - Right)}");
        body.Append($"<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{F(strokeWidth)}\"{(dash is null ? "" : $" stroke-dasharray=\"{dash}\"")}/>");
        if (label is not null) legend.Add((label, color, dash));
        return this;
    }

    /// <summary>
    /// Points as a cloud: one dot per occupied cell of <paramref name="cell"/> pixels, darker with more
    /// points in it. The dots of each of four darkness levels are one path of zero-length strokes with
    /// round caps (about ten bytes a dot), so even a full cloud stays small.
    /// </summary>
    public SvgChart Cloud(IEnumerable<(double X, double Y)> points, string color, string? label = null, int cell = 4)
    {
        var counts = new Dictionary<(int, int), int>();
        foreach (var (px, py) in points)
        {
            if (!double.IsFinite(px) || !double.IsFinite(py) || py < yr.Min || py > yr.Max) continue;
            var key = ((int)(Px(px) / cell), (int)(Py(py) / cell));
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        var levels = new[] { 1, 2, 4, int.MaxValue };
        double[] opacity = [0.35, 0.55, 0.75, 1];
        for (int level = 0; level < levels.Length; level++)
        {
            int lo = level == 0 ? 1 : levels[level - 1] + 1, hi = levels[level];
            var d = new StringBuilder();
            foreach (var ((cx, cy), n) in counts)
                if (n >= lo && n <= hi) d.Append($"M{cx * cell + cell / 2} {cy * cell + cell / 2}h0");
            if (d.Length > 0)
                body.Append($"<path d=\"{d}\" stroke=\"{color}\" stroke-opacity=\"{opacity[level].ToString(CultureInfo.InvariantCulture)}\" stroke-width=\"{cell - 1}\" stroke-linecap=\"round\" fill=\"none\"/>");
        }
        if (label is not null) legend.Add((label, color, null));
        return this;
    }

    /// <summary>A horizontal reference line (zero, a baseline's accuracy).</summary>
    public SvgChart Rule(double yValue, string color) =>
        yValue < yr.Min || yValue > yr.Max ? this : Append($"<line x1=\"{Left}\" x2=\"{width - Right}\" y1=\"{F(Py(yValue))}\" y2=\"{F(Py(yValue))}\" stroke=\"{color}\" stroke-width=\"0.8\"/>");

    SvgChart Append(string s) { body.Append(s); return this; }

    public string Render(string? title = null)
    {
        bool axes = !compact;
        var sb = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" class=\"chart\" role=\"img\"");
        sb.Append(title is null ? ">" : $" aria-label=\"{System.Net.WebUtility.HtmlEncode(title)}\"><title>{System.Net.WebUtility.HtmlEncode(title)}</title>");
        if (axes)
        {
            sb.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{width - Left - Right}\" height=\"{height - Top - Bottom}\" fill=\"#fff\" stroke=\"#ccc\"/>");
            foreach (var t in Ticks(yr.Min, yr.Max, Math.Max(2, (height - Top - Bottom) / 40)))
                sb.Append($"<line x1=\"{Left}\" x2=\"{width - Right}\" y1=\"{F(Py(t))}\" y2=\"{F(Py(t))}\" stroke=\"#eee\"/><text x=\"{Left - 4}\" y=\"{F(Py(t) + 4)}\" text-anchor=\"end\">{Label(t)}</text>");
            foreach (var t in Ticks(xr.Min, xr.Max, Math.Max(2, (width - Left - Right) / 80)))
                sb.Append($"<text x=\"{F(Px(t))}\" y=\"{height - Bottom + 14}\" text-anchor=\"middle\">{Label(t)}</text>");
            if (xLabel is not null) sb.Append($"<text x=\"{width - Right}\" y=\"{height - 3}\" text-anchor=\"end\" class=\"axis\">{System.Net.WebUtility.HtmlEncode(xLabel)}</text>");
            if (yLabel is not null) sb.Append($"<text x=\"{Left + 4}\" y=\"{Top + 12}\" class=\"axis\">{System.Net.WebUtility.HtmlEncode(yLabel)}</text>");
        }
        sb.Append(body);
        // The legend at the bottom right: best-so-far curves climb towards the top right.
        double ly = height - Bottom - 6 - 14 * (legend.Count - 1);
        foreach (var (label, color, dash) in legend)
        {
            sb.Append($"<line x1=\"{width - Right - 130}\" x2=\"{width - Right - 112}\" y1=\"{F(ly - 4)}\" y2=\"{F(ly - 4)}\" stroke=\"{color}\" stroke-width=\"2\"{(dash is null ? "" : $" stroke-dasharray=\"{dash}\"")}/>");
            sb.Append($"<text x=\"{width - Right - 108}\" y=\"{F(ly)}\">{System.Net.WebUtility.HtmlEncode(label)}</text>");
            ly += 14;
        }
        return sb.Append("</svg>").ToString();
    }

    static string Label(double v) => Math.Abs(v) >= 1000 ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Round tick values (1, 2 or 5 times a power of ten) covering [min, max].</summary>
    public static IEnumerable<double> Ticks(double min, double max, int about)
    {
        double raw = (max - min) / Math.Max(1, about);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 5, 10 }.Select(m => m * mag).First(s => s >= raw);
        for (double t = Math.Ceiling(min / step) * step; t <= max + step * 1e-9; t += step) yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
    }
}
