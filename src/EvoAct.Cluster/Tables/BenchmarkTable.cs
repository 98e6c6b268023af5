using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.ReadSide;
using EvoAct.Search;
using EvoAct.Search.Strategies;
using EvoAct.Search.Expressions;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;
using EvoAct.Search.Ops;

namespace EvoAct.Cluster.Tables;

/// <summary>
/// A benchmark table: an exhaustive run's per-seed export (`evoact export --per-seed`). Every genome of
/// its space is a row: the trained ones one row per seed, the rejected and deduplicated ones one row
/// each. A search replayed on it looks candidates up by fingerprint, so the table answers every genome
/// of its space, trained or equivalent to a trained one. Its true fitness of a function is the mean
/// validation accuracy over the table's seeds, defined only when every seed completed.
/// </summary>
public sealed class BenchmarkTable
{
    /// <summary>One distinct function of the table: its trainings, and the mean of their validation accuracy.</summary>
    public sealed record Function(string Fingerprint, string Expression, IReadOnlyList<ExportRow> Seeds)
    {
        public double? TrueFitness { get; } = Seeds.Count > 0 && Seeds.All(s => s.Status == WireNames.Status[EvaluationStatus.Completed] && s.Fitness is not null)
            ? Seeds.Average(s => s.Fitness!.Value) : null;
    }

    readonly Dictionary<string, Function> byFingerprint;
    readonly Dictionary<string, string> fingerprintByExpression;

    public string Name { get; }
    public int CoreUnits { get; }
    public IReadOnlySet<string> Unary { get; }
    public IReadOnlySet<string> Binary { get; }
    /// <summary>Genomes in the table, trained or not.</summary>
    public int Genomes { get; }
    public IReadOnlyCollection<Function> Functions => byFingerprint.Values;
    /// <summary>Training steps of one full-budget training (the last learning-curve point), 0 when the table has no curves.</summary>
    public int StepsPerTraining { get; }
    /// <summary>The fractions of the budget at which every completed training has a learning-curve point (what rungs may use).</summary>
    public IReadOnlySet<double> CurveFractions { get; }

    BenchmarkTable(string name, IReadOnlyList<ExportRow> rows)
    {
        Name = name;
        if (rows.Count == 0) throw new FormatException($"{name}: the table has no rows");
        var genomes = rows.Select(r => r.Genome).Distinct().Select(g => Genome.Decode(g)).ToArray();
        Genomes = genomes.Length;
        var k = genomes.Select(g => g.Units.Length).Distinct().ToArray();
        if (k.Length != 1) throw new FormatException($"{name}: genomes with {string.Join(" and ", k)} core units; a table is one space");
        CoreUnits = k[0];
        Unary = genomes.SelectMany(g => g.Units.SelectMany(u => new[] { u.Left.Name(), u.Right.Name() })).ToHashSet();
        Binary = genomes.SelectMany(g => g.Units.Select(u => u.Combine.Name())).ToHashSet();
        byFingerprint = rows.Where(r => r.Seed is not null).GroupBy(r => r.Fingerprint)
            .ToDictionary(g => g.Key, g => new Function(g.Key, g.First().Expression, g.ToArray()));
        if (byFingerprint.Count == 0) throw new FormatException($"{name}: no trained rows (a table is `evoact export --per-seed` of an exhaustive run)");
        fingerprintByExpression = new();
        foreach (var r in rows) fingerprintByExpression.TryAdd(r.Expression, r.Fingerprint);
        StepsPerTraining = rows.Where(r => r.Curve is { Count: > 0 }).Select(r => r.Curve![^1].Step).DefaultIfEmpty(0).Max();
        var completed = rows.Where(r => r.Seed is not null && r.Status == WireNames.Status[EvaluationStatus.Completed]).ToArray();
        CurveFractions = completed.Length == 0 ? new HashSet<double>()
            : completed.Select(r => (IEnumerable<double>)(r.Curve ?? []).Select(p => p.Fraction)).Aggregate((a, b) => a.Intersect(b)).ToHashSet();
    }

    public static BenchmarkTable Parse(string csv, string name) => new(name, HistoryExport.FromCsv(csv));

    // Tables read, by file and version: every replay of `bench search` reads its settings, and with them the table.
    static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Path, DateTime Written, long Length), BenchmarkTable> Loaded = new();

    /// <summary>
    /// Reads a table file, once per version of it in this process (tables are immutable); a missing or
    /// malformed one is a <see cref="FileNotFoundException"/> or <see cref="FormatException"/> naming it.
    /// </summary>
    public static BenchmarkTable Load(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists) throw new FileNotFoundException($"benchmark table '{path}' does not exist", path);
        var key = (file.FullName, file.LastWriteTimeUtc, file.Length);
        if (Loaded.TryGetValue(key, out var known)) return known;
        try
        {
            return Loaded[key] = Parse(File.ReadAllText(path), path);
        }
        catch (FormatException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Why a run over <paramref name="space"/> cannot be answered by this table, or null.</summary>
    public string? Mismatch(SearchSpace space)
    {
        var unary = space.Unary.Select(u => u.Name()).ToHashSet();
        var binary = space.Binary.Select(b => b.Name()).ToHashSet();
        if (space.CoreUnits == CoreUnits && unary.SetEquals(Unary) && binary.SetEquals(Binary)) return null;
        return $"the search space (K={space.CoreUnits}, unary=[{string.Join(", ", unary.Order())}], binary=[{string.Join(", ", binary.Order())}]) " +
               $"is not the table's (K={CoreUnits}, unary=[{string.Join(", ", Unary.Order())}], binary=[{string.Join(", ", Binary.Order())}])";
    }

    /// <summary>The table's space, in a fixed order (names sorted by the ops' own order).</summary>
    public SearchSpace Space() => new(CoreUnits,
        OpNames.AllUnary.Where(u => Unary.Contains(u.Name())), OpNames.AllBinary.Where(b => Binary.Contains(b.Name())));

    /// <summary>The function an expression computes, if the table trained it (or an equivalent).</summary>
    public Function? Find(string expression)
    {
        if (!fingerprintByExpression.TryGetValue(expression, out var fingerprint))
            fingerprint = Fingerprint.Of(ExpressionParser.Parse(expression));
        return FindFingerprint(fingerprint);
    }

    public Function? FindFingerprint(string fingerprint) => byFingerprint.GetValueOrDefault(fingerprint);

    /// <summary>
    /// The true fitness a function needs to be in the table's top <paramref name="share"/> of functions
    /// with a true fitness (at least one function).
    /// </summary>
    public double TopThreshold(double share)
    {
        var ranked = byFingerprint.Values.Where(f => f.TrueFitness is not null).Select(f => f.TrueFitness!.Value).OrderDescending().ToArray();
        int n = Math.Max(1, (int)Math.Ceiling(share * ranked.Length));
        return ranked[Math.Min(n, ranked.Length) - 1];
    }
}
