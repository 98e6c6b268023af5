using System.Globalization;
using EvoAct.Cluster.Messages;
using Spectre.Console;

namespace EvoAct.Cli;

/// <summary>
/// Live progress of a run: a table redrawn in place on a terminal, one plain line per update
/// otherwise (logs, pipes, CI).
/// </summary>
public sealed class RunProgressView : IDisposable
{
    readonly bool live = !Console.IsOutputRedirected;
    readonly CancellationTokenSource stop = new();
    Task? loop;
    volatile RunProgress? latest;

    public void Report(RunProgress p)
    {
        if (!live)
        {
            Console.WriteLine(Line(p));
            return;
        }
        latest = p;
        loop ??= Task.Run(Render);
    }

    async Task Render()
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("run").AddColumn(new TableColumn("").NoWrap());
        await AnsiConsole.Live(table).StartAsync(async ctx =>
        {
            while (true)
            {
                if (latest is { } p) Fill(table, p);
                ctx.Refresh();
                if (stop.IsCancellationRequested) break;
                try { await Task.Delay(250, stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    static void Fill(Table t, RunProgress p)
    {
        t.Rows.Clear();
        t.Title = new TableTitle(Markup.Escape($"evoact run {p.Run}"));
        void Row(string k, string v) => t.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("evaluations", $"{p.Trained} / {p.MaxEvaluations}");
        if (p.FinalCheckTotal > 0) Row("final check (leaders re-evaluated)", $"{p.FinalCheckSettled} / {p.FinalCheckTotal}");
        Row("evaluations per second", p.EvaluationsPerSecond.ToString("F2", CultureInfo.InvariantCulture));
        Row("in flight", p.InFlight.ToString(CultureInfo.InvariantCulture));
        Row("failed / diverged", $"{p.Failed} / {p.Diverged}");
        Row("rejected / deduplicated (free)", $"{p.Rejected} / {p.Deduplicated}");
        Row("population best / median", $"{Fmt(p.PopulationBest)} / {Fmt(p.PopulationMedian)}");
        Row("best so far", $"{Fmt(p.BestFitness)}  {p.BestExpression}");
    }

    /// <summary>The journal is out: a line of its own (also on a terminal, where the table stops moving meanwhile).</summary>
    public void ReportOutage(JournalUnavailable o)
    {
        var line = OutageLine(o);
        if (!live) Console.WriteLine(line);
        else Console.Error.WriteLine(line);
    }

    public static string OutageLine(JournalUnavailable o) =>
        string.Create(CultureInfo.InvariantCulture, $"journal unavailable: {o.Reason}; retrying in {Math.Max(1, (int)Math.Round(o.RetryIn.TotalSeconds))}s");

    /// <summary>
    /// The progress line; an exhaustive run also says how far through its space it is, and a run in its
    /// final check how many of the leaders have been re-evaluated (the check is outside the budget, so
    /// the count of evaluations alone stands still meanwhile).
    /// </summary>
    public static string Line(RunProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"[{p.Trained}/{p.MaxEvaluations}] {(p.GenomesProposed is { } g ? $"genome {g}/{p.SpaceSize} " : "")}" +
        $"{(FinalCheck(p) is { } c ? c + " " : "")}" +
        $"{p.EvaluationsPerSecond:F2} eval/s  in flight {p.InFlight}  " +
        $"failed {p.Failed + p.Diverged}  rejected {p.Rejected}  dedup {p.Deduplicated}  " +
        $"population best {Fmt(p.PopulationBest)} median {Fmt(p.PopulationMedian)}  best {Fmt(p.BestFitness)} {p.BestExpression}");

    /// <summary>"final check K/N" once the search is done and a final check is configured; else null.</summary>
    public static string? FinalCheck(RunProgress p) => p.FinalCheckTotal > 0 ? $"final check {p.FinalCheckSettled}/{p.FinalCheckTotal}" : null;

    public static string Fmt(double? v) => v is { } d ? d.ToString("F4", CultureInfo.InvariantCulture) : "-";

    public void Dispose()
    {
        stop.Cancel();
        loop?.Wait(TimeSpan.FromSeconds(5));
    }
}
