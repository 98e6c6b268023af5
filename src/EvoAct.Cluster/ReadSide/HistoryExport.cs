using System.Globalization;
using System.Text;
using System.Text.Json;
using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.Messages;
using EvoAct.Search.Strategies;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.ReadSide;

/// <summary>
/// One evaluation of a run's history, flat, as exported; or, per seed, one of its trainings (Seed set,
/// Fitness that training's validation accuracy). Loss, TestAccuracy and Curve are the seeds' means
/// where an evaluation has several, and absent where its journal predates them. FunctionMean, FunctionSd
/// and FunctionSeeds: on the rows of a function the final check re-evaluated (its evaluation and the
/// re-evaluation), the mean and sd of the accuracy over all its trainings and how many there were, as
/// the leaderboard ranks it.
/// </summary>
public sealed record ExportRow(
    long Id, long? ParentId, string Mutation, string Genome, string Expression, string Fingerprint,
    string Status, double? Fitness, string? Reason, string? Worker, double Seconds, DateTime ProposedAt, DateTime SettledAt,
    int Seeds = 0, ulong? Seed = null, double? Loss = null, double? TestAccuracy = null, IReadOnlyList<CurvePoint>? Curve = null, string? Device = null,
    double? FunctionMean = null, double? FunctionSd = null, int? FunctionSeeds = null)
{
    public bool Equals(ExportRow? o) =>
        o is not null && Id == o.Id && ParentId == o.ParentId && Mutation == o.Mutation && Genome == o.Genome && Expression == o.Expression &&
        Fingerprint == o.Fingerprint && Status == o.Status && Fitness == o.Fitness && Reason == o.Reason && Worker == o.Worker &&
        Seconds == o.Seconds && ProposedAt == o.ProposedAt && SettledAt == o.SettledAt && Seeds == o.Seeds && Seed == o.Seed &&
        Nullable.Equals(Loss, o.Loss) && TestAccuracy == o.TestAccuracy &&
        (Curve ?? []).SequenceEqual(o.Curve ?? []) && Device == o.Device &&
        Nullable.Equals(FunctionMean, o.FunctionMean) && Nullable.Equals(FunctionSd, o.FunctionSd) && FunctionSeeds == o.FunctionSeeds;

    public override int GetHashCode() => HashCode.Combine(Id, Seed, Status, Fitness);
}

/// <summary>
/// `evoact export`: a run's full history in CSV or JSON, and the readers that load it back (so the
/// files are an interchange format, not just a report). Per seed, a trained evaluation is one row per
/// training: the form of a benchmark table (the table trainer reads it).
/// </summary>
public static class HistoryExport
{
    static readonly string[] Columns =
        ["id", "parent_id", "mutation", "genome", "expression", "fingerprint", "status", "fitness", "reason", "worker", "seconds", "proposed_at", "settled_at",
         "seeds", "seed", "loss", "test_accuracy", "curve", "device", "function_mean", "function_sd", "function_seeds"];

    public static IReadOnlyList<ExportRow> Rows(RunState state, bool perSeed = false) => Rows(state, state.Evolution!.History, perSeed);

    /// <summary>The rows of some of a run's evaluations (a page of them, or one).</summary>
    public static IReadOnlyList<ExportRow> Rows(RunState state, IEnumerable<Evaluation> evaluations, bool perSeed = false)
    {
        var checkedFunctions = CheckedFunctions(state);
        return evaluations.SelectMany(e => Rows(state, e, perSeed, checkedFunctions)).ToArray();
    }

    /// <summary>The functions a final or parent check re-evaluated, by the ids of all their evaluations.</summary>
    static Dictionary<long, LeaderboardRow> CheckedFunctions(RunState state)
    {
        var map = new Dictionary<long, LeaderboardRow>();
        if (state.Evolution is not { } ev || (ev.FinalCheckProposed == 0 && ev.Settings.ParentCheckSeeds == 0)) return map;
        foreach (var row in Leaderboard.Of(state).Where(r => r.Function.Rechecks.Count > 0))
        {
            map[row.Evaluation.Id] = row;
            foreach (var r in row.Function.Rechecks) map[r.Id] = row;
        }
        return map;
    }

    static IEnumerable<ExportRow> Rows(RunState state, Evaluation e, bool perSeed, Dictionary<long, LeaderboardRow> checkedFunctions)
    {
        var function = checkedFunctions.GetValueOrDefault(e.Id);
        var row = new ExportRow(
            e.Id, e.Proposal.ParentId, Search.Strategies.Evolution.IsRecheck(e.Proposal.Kind) ? WireNames.Proposal[e.Proposal.Kind] : e.Proposal.Mutation?.ToString() ?? "random", e.Proposal.Genome.Encode(), e.Proposal.Expression,
            e.Proposal.Fingerprint, WireNames.Status[e.Status], e.Fitness, e.Reason, e.Worker, e.Seconds,
            state.ProposedAt[e.Id], state.SettledAt[e.Id], Device: state.Devices.GetValueOrDefault(e.Id),
            FunctionMean: function?.Mean, FunctionSd: function?.Sd, FunctionSeeds: function?.Seeds);
        if (!state.Seeds.TryGetValue(e.Id, out var seeds)) return [row];
        if (perSeed)
            return seeds.Select(s => row with
            {
                Status = s.Status, Fitness = s.Accuracy, Reason = s.Reason, Seconds = s.Seconds,
                Seeds = 1, Seed = s.Seed, Loss = s.Loss, TestAccuracy = s.TestAccuracy, Curve = s.Curve,
            });
        bool all = seeds.All(s => s.Accuracy is not null);
        return [row with
        {
            Seeds = seeds.Count,
            Seed = seeds.Count == 1 ? seeds[0].Seed : null,
            Loss = all ? seeds.Average(s => s.Loss!.Value) : null,
            TestAccuracy = seeds.All(s => s.TestAccuracy is not null) ? seeds.Average(s => s.TestAccuracy!.Value) : null,
            Curve = all ? MeanCurve(seeds) : seeds[0].Curve,
        }];
    }

    /// <summary>The seeds' curves averaged point by point (they share the run's fractions).</summary>
    static IReadOnlyList<CurvePoint>? MeanCurve(IReadOnlyList<SeedResult> seeds)
    {
        if (seeds.Count == 1 || seeds.Any(s => s.Curve is null || s.Curve.Count != seeds[0].Curve!.Count)) return seeds[0].Curve;
        return seeds[0].Curve!.Select((p, i) => p with
        {
            Accuracy = seeds.Average(s => s.Curve![i].Accuracy),
            Loss = seeds.Average(s => s.Curve![i].Loss),
        }).ToArray();
    }

    public static string ToCsv(IEnumerable<ExportRow> rows)
    {
        var sb = new StringBuilder(string.Join(",", Columns)).Append('\n');
        foreach (var r in rows)
            sb.AppendJoin(",", new[]
            {
                r.Id.ToString(CultureInfo.InvariantCulture), r.ParentId?.ToString(CultureInfo.InvariantCulture) ?? "", Quote(r.Mutation), Quote(r.Genome),
                Quote(r.Expression), r.Fingerprint, r.Status, Number(r.Fitness), Quote(r.Reason ?? ""),
                Quote(r.Worker ?? ""), r.Seconds.ToString("R", CultureInfo.InvariantCulture), r.ProposedAt.ToString("O"), r.SettledAt.ToString("O"),
                r.Seeds.ToString(CultureInfo.InvariantCulture), r.Seed?.ToString(CultureInfo.InvariantCulture) ?? "", Number(r.Loss), Number(r.TestAccuracy),
                CurveText(r.Curve), Quote(r.Device ?? ""), Number(r.FunctionMean), Number(r.FunctionSd),
                r.FunctionSeeds?.ToString(CultureInfo.InvariantCulture) ?? "",
            }).Append('\n');
        return sb.ToString();
    }

    static string Number(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    /// <summary>A curve in one CSV field: "fraction:step:accuracy:loss" per point, separated by ';'.</summary>
    public static string CurveText(IReadOnlyList<CurvePoint>? curve) => curve is null ? "" : string.Join(";", curve.Select(p => string.Join(":",
        p.Fraction.ToString("R", CultureInfo.InvariantCulture), p.Step.ToString(CultureInfo.InvariantCulture),
        p.Accuracy.ToString("R", CultureInfo.InvariantCulture), p.Loss.ToString("R", CultureInfo.InvariantCulture))));

    public static IReadOnlyList<CurvePoint>? ParseCurve(string text)
    {
        if (text.Length == 0) return null;
        return text.Split(';').Select(point =>
        {
            var f = point.Split(':');
            if (f.Length != 4) throw new FormatException($"bad learning-curve point '{point}': expected fraction:step:accuracy:loss");
            return new CurvePoint(double.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture),
                                  double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture));
        }).ToArray();
    }

    public static string ToJson(string run, IEnumerable<ExportRow> rows) =>
        JsonSerializer.Serialize(new { run, evaluations = rows }, JsonOptions);

    /// <summary>The export's JSON form (snake_case), also the dashboard API's.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, // a diverging curve's loss
    };

    public static IReadOnlyList<ExportRow> FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("evaluations").Deserialize<ExportRow[]>(JsonOptions)!;
    }

    /// <summary>Columns every export has had; later ones were added since, and exports without them still read.</summary>
    const int FirstColumns = 13;

    public static IReadOnlyList<ExportRow> FromCsv(string csv)
    {
        var records = ParseCsv(csv).ToList();
        if (records.Count == 0 || records[0].Length < FirstColumns || records[0].Length > Columns.Length || !records[0].SequenceEqual(Columns.Take(records[0].Length)))
            throw new FormatException($"not an EvoAct export: the header must be {string.Join(",", Columns)} (or the first {FirstColumns} or more of these, from an earlier version)");
        int n = records[0].Length;
        return records.Skip(1).Select((f, i) =>
        {
            if (f.Length != n) throw new FormatException($"line {i + 2}: {f.Length} fields, expected {n}");
            string Field(int k) => k < n ? f[k] : "";
            return new ExportRow(
                long.Parse(f[0], CultureInfo.InvariantCulture), f[1].Length == 0 ? null : long.Parse(f[1], CultureInfo.InvariantCulture),
                f[2], f[3], f[4], f[5], f[6], OptionalNumber(f[7]),
                f[8].Length == 0 ? null : f[8], f[9].Length == 0 ? null : f[9], double.Parse(f[10], CultureInfo.InvariantCulture),
                DateTime.Parse(f[11], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                DateTime.Parse(f[12], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                Field(13).Length == 0 ? 0 : int.Parse(Field(13), CultureInfo.InvariantCulture), Field(14).Length == 0 ? null : ulong.Parse(Field(14), CultureInfo.InvariantCulture),
                OptionalNumber(Field(15)), OptionalNumber(Field(16)), ParseCurve(Field(17)), Field(18).Length == 0 ? null : Field(18),
                OptionalNumber(Field(19)), OptionalNumber(Field(20)), Field(21).Length == 0 ? null : int.Parse(Field(21), CultureInfo.InvariantCulture));
        }).ToArray();
    }

    static double? OptionalNumber(string s) => s.Length == 0 ? null : double.Parse(s, CultureInfo.InvariantCulture);

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
