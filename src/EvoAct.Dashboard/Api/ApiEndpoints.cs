using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using EvoAct.Cluster.ReadSide;
using EvoAct.Cluster.Transfer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EvoAct.Dashboard.Api;

/// <summary>
/// `/api`: the dashboard's data for scripts. A run's object has the keys of `status --json` (one
/// writer, <see cref="RunStatusJson"/>); evaluations are the rows of `export`, paged. Unknown runs and
/// ids are 404 with {"error": ...}.
/// </summary>
public static class ApiEndpoints
{
    public const int MaxPage = 1000;
    static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(IEndpointRouteBuilder app, JournalFollower follower)
    {
        app.MapGet("/api/runs", () => Json(w =>
        {
            var now = DateTime.UtcNow;
            w.WriteStartArray("runs");
            foreach (var run in follower.Runs)
            {
                RunSummary s;
                lock (follower.Gate) s = RunSummary.Of(run, now);
                w.WriteStartObject();
                WriteSummary(w, s);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (follower.Problem is { } p) w.WriteString("problem", p); else w.WriteNull("problem");
        }));

        app.MapGet("/api/runs/{run}", (HttpContext ctx, string run) => follower.Run(run) is not { } r ? NoRun(run) : Json(w =>
        {
            lock (follower.Gate)
            {
                RunStatusJson.Write(w, r.Name, r.State);
                WriteSummary(w, RunSummary.Of(r, DateTime.UtcNow), skipName: true);
            }
        }));

        app.MapGet("/api/runs/{run}/evaluations", (HttpContext ctx, string run, string? offset, string? limit) =>
        {
            if (follower.Run(run) is not { } r) return NoRun(run);
            if (!TryCount(offset, 0, out int from)) return Respond.BadRequest("offset: a whole number >= 0");
            if (!TryCount(limit, 100, out int take) || take < 1 || take > MaxPage) return Respond.BadRequest($"limit: a whole number from 1 to {MaxPage}");
            string text;
            lock (follower.Gate)
            {
                var h = r.State.Evolution!.History;
                var page = Enumerable.Range(from, Math.Max(0, Math.Min(take, h.Count - from))).Select(i => h[i]);
                text = JsonSerializer.Serialize(new { run = r.Name, total = h.Count, offset = from, limit = take, evaluations = HistoryExport.Rows(r.State, page) }, HistoryExport.JsonOptions);
            }
            return Results.Text(text, "application/json; charset=utf-8");
        });

        app.MapGet("/api/runs/{run}/evaluations/{id}", (HttpContext ctx, string run, string id) =>
        {
            if (follower.Run(run) is not { } r) return NoRun(run);
            EvaluationDetail? d;
            lock (follower.Gate) d = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? EvaluationDetail.Of(r, n) : null;
            if (d is null) return Respond.NotFound($"run '{run}' has no evaluation '{id}'");
            return Results.Text(JsonSerializer.Serialize(new
            {
                run = r.Name, evaluation = d.Row, filter = d.Filter,
                lineage = d.Lineage, seeds = d.Trainings,
                code = new { pytorch = d.PyTorch, torchsharp = d.TorchSharp },
            }, HistoryExport.JsonOptions), "application/json; charset=utf-8");
        });

        app.MapGet("/api/transfers", () =>
        {
            object[] list;
            lock (follower.Gate)
                list = follower.Transfers.Where(t => t.Plan is not null).Select(t => (object)new
                {
                    name = t.Name, source_run = t.Plan!.SourceRun, preset = t.Plan.Preset, done = t.Done.Count, total = t.Plan.Jobs.Count,
                    finished = t.Finished, started_at = t.StartedAt, last_activity = t.LastActivity,
                    rows = TransferRows(TransferReport.Rows(t.Plan, t.Done)),
                }).ToArray();
            return Results.Text(JsonSerializer.Serialize(new { transfers = list }, HistoryExport.JsonOptions), "application/json; charset=utf-8");
        });
    }

    /// <summary>The report's rows, each with its comparison against relu (null without one), as `transfer` writes them.</summary>
    static IEnumerable<object> TransferRows(IReadOnlyList<TransferRow> rows)
    {
        var versus = TransferReport.Compare(rows);
        return rows.Select(x => new
        {
            activation = x.Activation, median = x.Median, min = x.Min, max = x.Max, test_accuracies = x.TestAccuracies, failed = x.Failed,
            vs_reference = versus.GetValueOrDefault(x.Activation) is { } c
                ? new { reference = c.Reference, median_difference = c.MedianDifference, low = c.Low, high = c.High, p = c.P } : null,
        });
    }

    static void WriteSummary(Utf8JsonWriter w, RunSummary s, bool skipName = false)
    {
        if (!skipName) w.WriteString("name", s.Name);
        w.WriteString("strategy", s.Strategy);
        w.WriteString("state", s.State);
        w.WriteNumber("trained", s.Trained);
        if (!skipName) w.WriteNumber("max_evaluations", s.MaxEvaluations);
        w.Number("best_fitness", s.BestFitness);
        if (s.BestExpression is null) w.WriteNull("best_expression"); else w.WriteString("best_expression", s.BestExpression);
        if (s.BestId is { } id) w.WriteNumber("best_id", id); else w.WriteNull("best_id");
        if (s.StartedAt is { } at) w.WriteString("started_at", at); else w.WriteNull("started_at");
        w.WriteString("last_activity", s.LastActivity);
        w.Number("trainings_per_minute", s.TrainingsPerMinute);
        w.Number("eta_seconds", s.Eta?.TotalSeconds);
    }

    static IResult NoRun(string run) => Respond.NotFound($"no run '{run}' in this journal");

    static bool TryCount(string? text, int fallback, out int value)
    {
        if (text is null) { value = fallback; return true; }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    static IResult Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Writer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Results.Bytes(buffer.ToArray(), "application/json; charset=utf-8");
    }
}
