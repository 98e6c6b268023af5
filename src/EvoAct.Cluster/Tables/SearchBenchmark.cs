using System.Diagnostics;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Hosting;
using EvoAct.Search.Ops;

namespace EvoAct.Cluster.Tables;

/// <summary>
/// `evoact bench search`: replays search strategies on a benchmark table through the real coordinator
/// (an embedded run with the table trainer and a SQLite journal per replay, in a scratch directory),
/// with several run seeds each, and summarises them. Replays run side by side: the table trainer
/// mostly waits, so more replays than cores keep the machine busy.
/// </summary>
public static class SearchBenchmark
{
    /// <param name="Sets">--set overrides for every replay (P, S, mutation weights, trainers.slots, table-time-scale...)</param>
    /// <param name="Budget">trainings per replay</param>
    public sealed record Options(string Table, IReadOnlyList<string> Strategies, int Seeds, int Budget, string? Preset, string? File,
                                 IReadOnlyList<string> Sets, int Parallel, string ScratchDirectory);

    public static readonly string[] Strategies = ["regularized", "tournament", "random"];

    /// <summary>The rungs a "+rungs" variant uses when it names none (and no --set gives them).</summary>
    public static readonly double[] DefaultRungs = [0.125, 0.25, 0.5, 1.0];

    /// <summary>
    /// A strategy as named on the command line: <c>regularized</c>, or with variants, each after a '+':
    /// multi-fidelity <c>+rungs</c>, <c>+rungs=0.25/0.5/1</c>, <c>+rungs=0.125/0.25/0.5/1@0.3</c> (rungs
    /// separated by '/', keep after '@'), and <c>+parent-check</c> (<c>+parent-check=N</c>: N seeds), e.g.
    /// <c>regularized+parent-check+rungs</c>. The HOCON settings it stands for, or a FormatException.
    /// </summary>
    public static (string Strategy, IReadOnlyList<string> Sets) Variant(string name)
    {
        var parts = name.Split('+');
        var strategy = parts[0];
        if (!Strategies.Contains(strategy)) throw new FormatException($"unknown strategy '{strategy}'; known: {string.Join(", ", Strategies)} (each may take +rungs, +parent-check)");
        var sets = new List<string>();
        foreach (var variant in parts.Skip(1))
        {
            if (variant == "rungs") continue;   // the --set rungs, else the defaults (Settings)
            if (variant.StartsWith("rungs=", StringComparison.Ordinal))
            {
                var spec = variant["rungs=".Length..].Split('@');
                sets.Add($"evoact.evolution.fidelity.rungs=[{string.Join(", ", spec[0].Split('/'))}]");
                if (spec.Length > 1) sets.Add($"evoact.evolution.fidelity.keep={spec[1]}");
            }
            else if (variant == "parent-check") sets.Add("evoact.evolution.parent-check.seeds=1");
            else if (variant.StartsWith("parent-check=", StringComparison.Ordinal) && int.TryParse(variant["parent-check=".Length..], out var n) && n >= 1)
                sets.Add($"evoact.evolution.parent-check.seeds={n}");
            else throw new FormatException($"unknown variant '+{variant}' of {strategy}: expected +rungs, +rungs=R1/R2/.../1, +rungs=R1/.../1@KEEP, +parent-check or +parent-check=N");
        }
        return (strategy, sets);
    }

    public static async Task<IReadOnlyList<StrategySummary>> RunAsync(Options o, BenchmarkTable table, IProgress<SearchReplay>? progress = null)
    {
        var jobs = o.Strategies.SelectMany(s => Enumerable.Range(0, o.Seeds).Select(seed => (Strategy: s, Seed: (ulong)seed))).ToArray();
        var results = new SearchReplay[jobs.Length];
        using var gate = new SemaphoreSlim(Math.Max(1, o.Parallel));
        await Task.WhenAll(jobs.Select(async (job, i) =>
        {
            await gate.WaitAsync();
            try
            {
                results[i] = await Task.Run(() => ReplayAsync(o, table, job.Strategy, job.Seed));
                progress?.Report(results[i]);
            }
            finally
            {
                gate.Release();
            }
        }));
        return o.Strategies.Select(s => StrategySummary.Of(s, results.Where(r => r.Strategy == s).ToArray(), o.Budget, table.StepsPerTraining)).ToArray();
    }

    /// <summary>The settings of one replay: the user's layers, then the table's space, the strategy, the seed and the budget.</summary>
    public static RunSettings Settings(Options o, BenchmarkTable table, string name, ulong seed, string dataDirectory)
    {
        var (strategy, variantSets) = Variant(name);
        var space = table.Space();
        // A +rungs variant without rungs of its own takes the --set ones, else the defaults.
        var defaultRungs = name.Split('+').Skip(1).Contains("rungs")
            ? [$"evoact.evolution.fidelity.rungs=[{string.Join(", ", DefaultRungs)}]"] : Array.Empty<string>();
        var user = new ConfigReader(EvoActConfig.Load(o.Preset, o.File, o.Sets));
        if (defaultRungs.Length > 0 && user.StringList("evoact.evolution.fidelity.rungs").Count > 0) defaultRungs = [];
        var sets = o.Sets.Concat(defaultRungs).Concat(variantSets).Concat([
            $"evoact.search-space.core-units={space.CoreUnits}",
            $"evoact.search-space.unary=[{string.Join(", ", space.Unary.Select(u => u.Name()))}]",
            $"evoact.search-space.binary=[{string.Join(", ", space.Binary.Select(b => b.Name()))}]",
            $"evoact.evolution.strategy={strategy}",
            $"evoact.evolution.seed={seed}",
            "evoact.trainers.kind=table",
            $"evoact.trainers.table=\"{o.Table.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"",
            "evoact.persistence.provider=sqlite",
            "evoact.run.progress-interval=1s",
        ]).ToList();
        var c = new ConfigReader(EvoActConfig.Load(o.Preset, o.File, sets));
        int perCandidate = c.Int("evoact.evolution.seeds-per-candidate", 1, 100);
        // Candidates enough for the budget in trainings: with rungs, as many as stop at the first (the replay is cut at the budget).
        var rungs = c.StringList("evoact.evolution.fidelity.rungs");
        double first = rungs.Count > 0 ? double.Parse(rungs[0], System.Globalization.CultureInfo.InvariantCulture) : 1;
        var missing = rungs.Select(r => double.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).Where(r => r < 1 && !table.CurveFractions.Contains(r)).ToArray();
        if (missing.Length > 0)
            throw new ConfigException("evoact.evolution.fidelity.rungs", $"{name}: the table has no learning-curve points at {string.Join(", ", missing)} " +
                                      $"(its curves have {(table.CurveFractions.Count == 0 ? "none" : string.Join(", ", table.CurveFractions.Order()))})");
        int candidates = (int)Math.Ceiling(o.Budget / (perCandidate * Math.Max(first, 1e-3)));
        c = new ConfigReader(EvoActConfig.Load(o.Preset, o.File, sets.Append($"evoact.evolution.max-evaluations={candidates}")));
        return RunSettings.Read(c, dataDirectory, $"{strategy}-{seed}");
    }

    static async Task<SearchReplay> ReplayAsync(Options o, BenchmarkTable table, string strategy, ulong seed)
    {
        var dir = Path.Combine(o.ScratchDirectory, $"{string.Concat(strategy.Select(ch => char.IsLetterOrDigit(ch) ? ch : '_'))}-{seed}");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var s = Settings(o, table, strategy, seed, dir);
        var clock = Stopwatch.StartNew();
        try
        {
            var outcome = await EmbeddedRun.RunAsync(s, _ => { }, _ => { }, _ => { }, CancellationToken.None);
            if (outcome.Ready.Refusal is { } refusal) throw new InvalidOperationException($"replay {strategy}-{seed}: {refusal}");
            if (outcome.GaveUp is { } gaveUp) throw new InvalidOperationException($"replay {strategy}-{seed}: {gaveUp}");
            double seconds = clock.Elapsed.TotalSeconds;
            var state = await JournalReader.ReadAsync(s.Persistence, dir, s.Name)
                        ?? throw new InvalidOperationException($"replay {strategy}-{seed} left no journal in {dir}");
            var evolution = state.Evolution!;
            return SearchReplay.From(table, strategy, seed, evolution.History, evolution.Best, s.Plan.Evolution.SeedsPerCandidate, seconds, o.Budget,
                                     s.Plan.Evolution.ParentCheckSeeds);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
