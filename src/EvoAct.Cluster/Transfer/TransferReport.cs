using System.Globalization;
using System.Text;

namespace EvoAct.Cluster.Transfer;

/// <summary>One row of the table: an activation's test accuracies over the seeds.</summary>
public sealed record TransferRow(string Activation, IReadOnlyList<double> TestAccuracies, int Failed)
{
    public double? Median => TestAccuracies.Count == 0 ? null : MedianOf(TestAccuracies);
    public double? Min => TestAccuracies.Count == 0 ? null : TestAccuracies.Min();
    public double? Max => TestAccuracies.Count == 0 ? null : TestAccuracies.Max();

    static double MedianOf(IReadOnlyList<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}

/// <summary>
/// The transfer table, like the paper's Table 1: test accuracy (%) per activation, the median of the
/// runs with its spread (min-max), best first; in Markdown and CSV.
/// </summary>
public static class TransferReport
{
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
        sb.AppendLine();
        sb.AppendLine($"| activation | {t.Model} ({t.Data.Name}) | min-max | runs | failed |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var r in rows)
            sb.AppendLine($"| {r.Activation.Replace("|", "\\|")} | {Pct(r.Median)} | {Pct(r.Min)}-{Pct(r.Max)} | {r.TestAccuracies.Count} | {r.Failed} |");
        return sb.ToString();
    }

    public static string Csv(TransferPlan plan, IReadOnlyList<TransferRow> rows)
    {
        var sb = new StringBuilder("activation,model,dataset,median_test_accuracy,min_test_accuracy,max_test_accuracy,runs,failed,test_accuracies\n");
        foreach (var r in rows)
            sb.AppendLine(string.Join(",",
                Quote(r.Activation), plan.Training.Model, plan.Training.Data.Name, Num(r.Median), Num(r.Min), Num(r.Max),
                r.TestAccuracies.Count.ToString(CultureInfo.InvariantCulture), r.Failed.ToString(CultureInfo.InvariantCulture),
                Quote(string.Join(" ", r.TestAccuracies.Select(a => a.ToString("R", CultureInfo.InvariantCulture))))));
        return sb.ToString();
    }

    static string Pct(double? v) => v is { } d ? (100 * d).ToString("F1", CultureInfo.InvariantCulture) : "-";
    internal static string Num(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
    internal static string Quote(string s) => s.IndexOfAny([',', '"']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}
