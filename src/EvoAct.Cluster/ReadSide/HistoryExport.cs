using System.Globalization;
using System.Text;
using System.Text.Json;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Evolution;

namespace EvoAct.Cluster.ReadSide;

/// <summary>One evaluation of a run's history, flat, as exported.</summary>
public sealed record ExportRow(
    long Id, long? ParentId, string Mutation, string Genome, string Expression, string Fingerprint,
    string Status, double? Fitness, string? Reason, string? Worker, double Seconds, DateTime ProposedAt, DateTime SettledAt);

/// <summary>
/// `evoact export`: a run's full history in CSV or JSON, and the readers that load it back (so the
/// files are an interchange format, not just a report).
/// </summary>
public static class HistoryExport
{
    static readonly string[] Columns =
        ["id", "parent_id", "mutation", "genome", "expression", "fingerprint", "status", "fitness", "reason", "worker", "seconds", "proposed_at", "settled_at"];

    public static IReadOnlyList<ExportRow> Rows(RunState state) => state.Evolution!.History.Select(e => new ExportRow(
        e.Id, e.Proposal.ParentId, e.Proposal.Mutation?.ToString() ?? "random", e.Proposal.Genome.Encode(), e.Proposal.Expression,
        e.Proposal.Fingerprint, WireNames.Status[e.Status], e.Fitness, e.Reason, e.Worker, e.Seconds,
        state.ProposedAt[e.Id], state.SettledAt[e.Id])).ToArray();

    public static string ToCsv(IEnumerable<ExportRow> rows)
    {
        var sb = new StringBuilder(string.Join(",", Columns)).Append('\n');
        foreach (var r in rows)
            sb.AppendJoin(",", new[]
            {
                r.Id.ToString(CultureInfo.InvariantCulture), r.ParentId?.ToString(CultureInfo.InvariantCulture) ?? "", Quote(r.Mutation), Quote(r.Genome),
                Quote(r.Expression), r.Fingerprint, r.Status, r.Fitness?.ToString("R", CultureInfo.InvariantCulture) ?? "", Quote(r.Reason ?? ""),
                Quote(r.Worker ?? ""), r.Seconds.ToString("R", CultureInfo.InvariantCulture), r.ProposedAt.ToString("O"), r.SettledAt.ToString("O"),
            }).Append('\n');
        return sb.ToString();
    }

    public static string ToJson(string run, IEnumerable<ExportRow> rows) =>
        JsonSerializer.Serialize(new { run, evaluations = rows }, JsonOptions);

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    };

    public static IReadOnlyList<ExportRow> FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("evaluations").Deserialize<ExportRow[]>(JsonOptions)!;
    }

    public static IReadOnlyList<ExportRow> FromCsv(string csv)
    {
        var records = ParseCsv(csv).ToList();
        if (records.Count == 0 || !records[0].SequenceEqual(Columns))
            throw new FormatException($"not an EvoAct export: the header must be {string.Join(",", Columns)}");
        return records.Skip(1).Select(f => new ExportRow(
            long.Parse(f[0], CultureInfo.InvariantCulture), f[1].Length == 0 ? null : long.Parse(f[1], CultureInfo.InvariantCulture),
            f[2], f[3], f[4], f[5], f[6], f[7].Length == 0 ? null : double.Parse(f[7], CultureInfo.InvariantCulture),
            f[8].Length == 0 ? null : f[8], f[9].Length == 0 ? null : f[9], double.Parse(f[10], CultureInfo.InvariantCulture),
            DateTime.Parse(f[11], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            DateTime.Parse(f[12], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind))).ToArray();
    }

    static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";

    /// <summary>RFC 4180: quoted fields may hold commas, doubled quotes and newlines.</summary>
    static IEnumerable<string[]> ParseCsv(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\n')
            {
                fields.Add(field.ToString()); field.Clear();
                yield return fields.ToArray();
                fields.Clear();
            }
            else if (c != '\r') field.Append(c);
        }
        if (field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); yield return fields.ToArray(); }
    }
}
