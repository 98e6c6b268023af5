using System.Globalization;
using System.Text;
using EvoAct.Search.Statistics;

namespace EvoAct.Cluster.Transfer;

/// <summary>One row of the table: an activation's test accuracies over the seeds.</summary>
public sealed record TransferRow(string Activation, IReadOnlyList<double> TestAccuracies, int Failed)
{
    public double? Median => TestAccuracies.Count == 0 ? null : TwoSample.Median(TestAccuracies);
    public double? Min => TestAccuracies.Count == 0 ? null : TestAccuracies.Min();
    public double? Max => TestAccuracies.Count == 0 ? null : TestAccuracies.Max();
}

/// <summary>
/// One activation against the reference (ReLU): the difference of the median test accuracies with a
/// bootstrap 95% interval, and the exact two-sided rank-sum p-value. "Beats ReLU beyond the seed
/// spread" means the interval lies above 0 and p is small; with 5 seeds a side the smallest p there is
/// is 2/252 = 0.008.
/// </summary>
public sealed record TransferComparison(string Reference, double MedianDifference, double Low, double High, double P)
{
    /// <summary>The difference in accuracy points with its interval, e.g. "+0.70 (+0.40 to +1.00)".</summary>
    public string Difference => $"{Points(MedianDifference)} ({Points(Low)} to {Points(High)})";

    public string PValue => P.ToString("F3", CultureInfo.InvariantCulture);

    static string Points(double v) => (100 * v).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
}

/// <summary>
/// The transfer table, like the paper's Table 1: test accuracy (%) per activation, the median of the
/// runs with its spread (min-max), best first, and each activation against ReLU when the table has it
/// (median difference with a bootstrap interval, rank-sum p); in Markdown and CSV.
/// </summary>
public static class TransferReport
{
    /// <summary>The activation the others are compared with, under either name a user may give it.</summary>
    static readonly string[] ReferenceNames = ["relu", "relu(x)"];

    /// <summary>Each activation with results against the reference, when the reference has at least 2 results; none otherwise.</summary>
    public static IReadOnlyDictionary<string, TransferComparison> Compare(IReadOnlyList<TransferRow> rows)
    {
        var reference = rows.FirstOrDefault(r => ReferenceNames.Contains(r.Activation) && r.TestAccuracies.Count >= 2);
        if (reference is null) return new Dictionary<string, TransferComparison>();
        return rows.Where(r => r != reference && r.TestAccuracies.Count > 0).ToDictionary(r => r.Activation, r =>
        {
            var (low, high) = TwoSample.MedianDifferenceInterval(r.TestAccuracies, reference.TestAccuracies);
            return new TransferComparison(reference.Activation, r.Median!.Value - reference.Median!.Value, low, high,
                TwoSample.RankSumPValue(r.TestAccuracies, reference.TestAccuracies));
        });
    }

    public static IReadOnlyList<TransferRow> Rows(TransferPlan plan, IReadOnlyDictionary<int, TransferJobDone> done) =>
        plan.Jobs.Where(j => !j.OnProxy).GroupBy(j => j.Activation).Select(g => new TransferRow(
                g.Key,
                g.Select(j => done.GetValueOrDefault(j.Id)).Where(d => d?.TestAccuracy is not null).Select(d => d!.TestAccuracy!.Value).ToArray(),
                g.Count(j => done.TryGetValue(j.Id, out var d) && d.TestAccuracy is null)))
            .OrderByDescending(r => r.Median ?? -1).ToArray();

    public static string Markdown(TransferPlan plan, IReadOnlyList<TransferRow> rows)
    {
        var t = plan.Training;
        var sb = new StringBuilder();
        sb.AppendLine($"Transfer of run '{plan.SourceRun}': {t.Model} on {t.Data.Name}, preset {plan.Preset}; test accuracy (%), median of {plan.Jobs.Count(j => !j.OnProxy) / Math.Max(1, rows.Count)} runs (min-max).");
        var versus = Compare(rows);
        if (versus.Count == 0)
        {
            sb.AppendLine();
            sb.AppendLine($"| activation | {t.Model} ({t.Data.Name}) | min-max | runs | failed |");
            sb.AppendLine("|---|---|---|---|---|");
            foreach (var r in rows)
                sb.AppendLine($"| {Cell(r.Activation)} | {Pct(r.Median)} | {Range(r)} | {r.TestAccuracies.Count} | {r.Failed} |");
            return sb.ToString();
        }
        var reference = versus.Values.First().Reference;
        sb.AppendLine($"Against {reference}: the difference of the medians in points, with its bootstrap 95% interval (each activation's runs and {reference}'s resampled apart, 2000 times), " +
                      "and p, the exact two-sided Mann-Whitney rank-sum test over the runs; an activation beats it beyond the seed spread when the interval is above 0 and p < 0.05.");
        sb.AppendLine();
        sb.AppendLine($"| activation | {t.Model} ({t.Data.Name}) | min-max | runs | failed | vs {reference} (95% interval) | p |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var c = versus.GetValueOrDefault(r.Activation);
            string diff = c?.Difference ?? (r.Activation == reference ? "reference" : "-");
            string p = c?.PValue ?? "-";
            sb.AppendLine($"| {Cell(r.Activation)} | {Pct(r.Median)} | {Range(r)} | {r.TestAccuracies.Count} | {r.Failed} | {diff} | {p} |");
        }
        return sb.ToString();
    }

    public static string Csv(TransferPlan plan, IReadOnlyList<TransferRow> rows)
    {
        var versus = Compare(rows);
        var sb = new StringBuilder("activation,model,dataset,median_test_accuracy,min_test_accuracy,max_test_accuracy,runs,failed,test_accuracies," +
                                   "reference,median_difference,difference_low,difference_high,p_value\n");
        foreach (var r in rows)
        {
            var c = versus.GetValueOrDefault(r.Activation);
            sb.AppendLine(string.Join(",",
                Quote(r.Activation), plan.Training.Model, plan.Training.Data.Name, Num(r.Median), Num(r.Min), Num(r.Max),
                r.TestAccuracies.Count.ToString(CultureInfo.InvariantCulture), r.Failed.ToString(CultureInfo.InvariantCulture),
                Quote(string.Join(" ", r.TestAccuracies.Select(a => a.ToString("R", CultureInfo.InvariantCulture)))),
                c is null ? "" : Quote(c.Reference), Num(c?.MedianDifference), Num(c?.Low), Num(c?.High), Num(c?.P)));
        }
        return sb.ToString();
    }

    // An activation whose every run failed has no range: one "-", as the other empty cells.
    static string Range(TransferRow r) => r.Min is null ? "-" : $"{Pct(r.Min)}-{Pct(r.Max)}";
    static string Cell(string activation) => activation.Replace("|", "\\|");
    static string Pct(double? v) => v is { } d ? (100 * d).ToString("F1", CultureInfo.InvariantCulture) : "-";
    internal static string Num(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
    internal static string Quote(string s) => s.IndexOfAny([',', '"']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}
