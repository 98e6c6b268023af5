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
    public static RunSettings Settings(Options o, BenchmarkTable table, string strategy, ulong seed, string dataDirectory)
    {
        var space = table.Space();
        var sets = o.Sets.Concat([
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
        c = new ConfigReader(EvoActConfig.Load(o.Preset, o.File, sets.Append($"evoact.evolution.max-evaluations={(o.Budget + perCandidate - 1) / perCandidate}")));
        return RunSettings.Read(c, dataDirectory, $"{strategy}-{seed}");
    }

    static async Task<SearchReplay> ReplayAsync(Options o, BenchmarkTable table, string strategy, ulong seed)
    {
        var dir = Path.Combine(o.ScratchDirectory, $"{strategy}-{seed}");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var s = Settings(o, table, strategy, seed, dir) is var read ? read with { Trainers = read.Trainers with { Table = table } } : null!;
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
            return SearchReplay.From(table, strategy, seed, evolution.History, evolution.Best, s.Plan.Evolution.SeedsPerCandidate, seconds);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
