using System.Globalization;
using System.Text;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Statistics;
using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.Transfer;

/// <summary>An activation in a fidelity study: its proxy validation accuracies and target test accuracies over the seeds.</summary>
public sealed record FidelityRow(string Activation, IReadOnlyList<double> Proxy, IReadOnlyList<double> Target, int ProxyFailed, int TargetFailed)
{
    public double? ProxyMean => Proxy.Count == 0 ? null : Proxy.Average();
    public double? ProxySd => FidelityReport.Sd(Proxy);
    public double? TargetMean => Target.Count == 0 ? null : Target.Average();
    public double? TargetSd => FidelityReport.Sd(Target);
    public double? TargetMedian => Target.Count == 0 ? null : RankCorrelation.Quantile(Target.Order().ToArray(), 0.5);
    /// <summary>Ranked: it has a score on both sides.</summary>
    public bool Ranked => Proxy.Count > 0 && Target.Count > 0;
}

/// <summary>
/// How much a setup's noise blurs its ranking: the pooled within-activation sd (seed noise), the sd
/// of the activations' means (the spread the ranking is about), and their ratio.
/// </summary>
public sealed record Noise(double? Within, double? Between)
{
    public double? Ratio => Within is { } w && Between is { } b && b > 0 ? w / b : null;
}

/// <summary>The study's figures: rows best-on-target first, the noise on each side, the rank agreement with bootstrap intervals, and the cost.</summary>
public sealed record FidelitySummary(
    IReadOnlyList<FidelityRow> Rows, Noise ProxyNoise, Noise TargetNoise,
    double Spearman, (double Low, double High) SpearmanInterval, double Kendall, (double Low, double High) KendallInterval,
    double? ProxySecondsPerEvaluation, double? TargetSecondsPerEvaluation)
{
    public int Ranked => Rows.Count(r => r.Ranked);
}

/// <summary>
/// `evoact fidelity`'s report: does the proxy's mean validation accuracy rank activations as the
/// target's median test accuracy does? In Markdown and CSV; the CLI adds the scatter plot.
/// </summary>
public static class FidelityReport
{
    public const int Resamples = 2000;

    public static FidelitySummary Summarize(TransferPlan plan, IReadOnlyDictionary<int, TransferJobDone> done)
    {
        var completed = WireNames.Status[EvaluationStatus.Completed];
        var rows = plan.Jobs.GroupBy(j => j.Activation).Select(g =>
        {
            IReadOnlyList<double> Scores(bool proxy) => g.Where(j => j.OnProxy == proxy).Select(j => done.GetValueOrDefault(j.Id))
                .Where(d => d is not null && d.Status == completed && (proxy ? d.ValidationAccuracy : d.TestAccuracy) is not null)
                .Select(d => (proxy ? d!.ValidationAccuracy : d!.TestAccuracy)!.Value).ToArray();
            int Failed(bool proxy) => g.Count(j => j.OnProxy == proxy && done.TryGetValue(j.Id, out var d) && d.Status != completed);
            return new FidelityRow(g.Key, Scores(true), Scores(false), Failed(true), Failed(false));
        }).OrderByDescending(r => r.TargetMedian ?? double.NegativeInfinity).ThenByDescending(r => r.ProxyMean ?? double.NegativeInfinity).ToArray();

        var ranked = rows.Where(r => r.Ranked).ToArray();
        double[] p = ranked.Select(r => r.ProxyMean!.Value).ToArray(), t = ranked.Select(r => r.TargetMedian!.Value).ToArray();
        bool enough = ranked.Length >= 3;
        double Seconds(bool proxy)
        {
            var s = plan.Jobs.Where(j => j.OnProxy == proxy).Select(j => done.GetValueOrDefault(j.Id)).Where(d => d is not null).Select(d => d!.Seconds).ToArray();
            return s.Length == 0 ? double.NaN : s.Average();
        }
        return new FidelitySummary(rows, NoiseOf(rows.Select(r => r.Proxy)), NoiseOf(rows.Select(r => r.Target)),
            enough ? RankCorrelation.Spearman(p, t) : double.NaN,
            enough ? RankCorrelation.Bootstrap(p, t, RankCorrelation.Spearman, Resamples) : (double.NaN, double.NaN),
            enough ? RankCorrelation.KendallTauB(p, t) : double.NaN,
            enough ? RankCorrelation.Bootstrap(p, t, RankCorrelation.KendallTauB, Resamples) : (double.NaN, double.NaN),
            Finite(Seconds(true)), Finite(Seconds(false)));
    }

    /// <summary>Within: the root of the mean sample variance over activations with two or more scores. Between: the sd of the activations' means.</summary>
    public static Noise NoiseOf(IEnumerable<IReadOnlyList<double>> groups)
    {
        var g = groups.Where(x => x.Count > 0).ToArray();
        var variances = g.Where(x => x.Count >= 2).Select(x => Sd(x)!.Value * Sd(x)!.Value).ToArray();
        return new Noise(variances.Length == 0 ? null : Math.Sqrt(variances.Average()), Sd(g.Select(x => x.Average()).ToArray()));
    }

    /// <summary>The sample sd (n - 1); null below two values.</summary>
    public static double? Sd(IReadOnlyList<double> v) => Spread.SampleSd(v);

    public static string Markdown(TransferPlan plan, FidelitySummary s)
    {
        var sb = new StringBuilder();
        int seeds = plan.Jobs.Count(j => j.OnProxy) / Math.Max(1, s.Rows.Count);
        sb.AppendLine($"Fidelity of proxy {plan.ProxyPreset} ({plan.Proxy?.Model}, {plan.Proxy?.Data.Name}) for target {plan.Preset} ({plan.Training.Model}, {plan.Training.Data.Name}): " +
                      $"{s.Rows.Count} activations, {seeds} seeds each on both.");
        sb.AppendLine();
        sb.AppendLine($"- Rank agreement of the proxy's mean validation accuracy with the target's median test accuracy, over {s.Ranked} activations scored on both: " +
                      $"**Spearman {F(s.Spearman, "F3")}** (bootstrap 95% {F(s.SpearmanInterval.Low, "F3")} to {F(s.SpearmanInterval.High, "F3")}), " +
                      $"Kendall tau-b {F(s.Kendall, "F3")} ({F(s.KendallInterval.Low, "F3")} to {F(s.KendallInterval.High, "F3")}); {Resamples} resamples of the activations.");
        sb.AppendLine($"- Noise, within-activation sd / between-activation sd: proxy {F(s.ProxyNoise.Within, "F4")} / {F(s.ProxyNoise.Between, "F4")} = {F(s.ProxyNoise.Ratio, "F2")}; " +
                      $"target {F(s.TargetNoise.Within, "F4")} / {F(s.TargetNoise.Between, "F4")} = {F(s.TargetNoise.Ratio, "F2")}.");
        sb.AppendLine($"- Cost per evaluation: proxy {F(s.ProxySecondsPerEvaluation, "F1")} s, target {F(s.TargetSecondsPerEvaluation, "F1")} s.");
        sb.AppendLine();
        sb.AppendLine("| activation | proxy val acc (mean ± sd) | target test acc (median) | target mean ± sd | seeds proxy/target | failed proxy/target |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in s.Rows)
            sb.AppendLine($"| {r.Activation.Replace("|", "\\|")} | {F(r.ProxyMean, "F4")} ± {F(r.ProxySd, "F4")} | {F(r.TargetMedian, "F4")} | " +
                          $"{F(r.TargetMean, "F4")} ± {F(r.TargetSd, "F4")} | {r.Proxy.Count}/{r.Target.Count} | {r.ProxyFailed}/{r.TargetFailed} |");
        return sb.ToString();
    }

    public static string Csv(TransferPlan plan, FidelitySummary s)
    {
        var sb = new StringBuilder("activation,proxy_preset,target_preset,proxy_mean,proxy_sd,proxy_n,proxy_failed,target_median,target_mean,target_sd,target_n,target_failed,proxy_accuracies,target_accuracies\n");
        foreach (var r in s.Rows)
            sb.AppendLine(string.Join(",", Quote(r.Activation), plan.ProxyPreset, plan.Preset, Num(r.ProxyMean), Num(r.ProxySd), I(r.Proxy.Count), I(r.ProxyFailed),
                Num(r.TargetMedian), Num(r.TargetMean), Num(r.TargetSd), I(r.Target.Count), I(r.TargetFailed),
                Quote(string.Join(" ", r.Proxy.Select(a => a.ToString("R", CultureInfo.InvariantCulture)))),
                Quote(string.Join(" ", r.Target.Select(a => a.ToString("R", CultureInfo.InvariantCulture))))));
        return sb.ToString();
    }

    static double? Finite(double v) => double.IsFinite(v) ? v : null;
    static string F(double? v, string format) => v is { } d && double.IsFinite(d) ? d.ToString(format, CultureInfo.InvariantCulture) : "-";
    static string Num(double? v) => TransferReport.Num(v);
    static string Quote(string s) => TransferReport.Quote(s);
    static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
