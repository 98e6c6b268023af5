using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EvoAct.Cli.Plots;
using EvoAct.Cluster.Tables;
using EvoAct.Cluster.ReadSide;

namespace EvoAct.Cli.Commands;

/// <summary>
/// `evoact bench search --table FILE [--strategy a,b] [--seeds N] [--budget N] [--set ...] [--json] [--out DIR]`:
/// replays strategies on a benchmark table and reports, per strategy, how fast each finds the table's best.
/// </summary>
public static class BenchSearchCommand
{
    public static Command Create()
    {
        var config = new ConfigOptions();
        var table = new Option<string>("--table") { Description = "A benchmark table (evoact export --per-seed of an exhaustive run)", Required = true };
        var strategies = new Option<string>("--strategy") { Description = "Comma-separated strategies: regularized, tournament, random, each optionally +rungs[=R1/R2/.../1[@KEEP]] (multi-fidelity)", DefaultValueFactory = _ => string.Join(",", SearchBenchmark.Strategies) };
        var seeds = new Option<int>("--seeds") { Description = "Run seeds per strategy (0, 1, ...)", DefaultValueFactory = _ => 20 };
        var budget = new Option<int>("--budget") { Description = "Trainings per replay (full trainings' worth of steps: a candidate stopped at rung 0.25 costs a quarter)", DefaultValueFactory = _ => 300 };
        var parallel = new Option<int>("--parallel") { Description = "Replays side by side", DefaultValueFactory = _ => 2 * Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var output = new Option<string?>("--out") { Description = "Directory for the regret plot (regret.png) and the per-seed CSV" };
        var command = new Command("search", "Replay search strategies on a benchmark table: trainings to the table's top 1% and 0.1%, best true fitness, free proposals")
        {
            table, strategies, seeds, budget, parallel, json, output,
        };
        config.AddTo(command);
        command.SetAction(r =>
        {
            var path = r.GetValue(table)!;
            var names = r.GetValue(strategies)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var n in names)
            {
                try
                {
                    SearchBenchmark.Variant(n);
                }
                catch (FormatException e)
                {
                    throw new UsageException($"--strategy: {e.Message}");
                }
            }
            if (names.Length == 0) throw new UsageException("--strategy: name at least one strategy");
            if (r.GetValue(seeds) < 1) throw new UsageException("--seeds: expected at least 1");
            if (r.GetValue(budget) < 1) throw new UsageException("--budget: expected at least 1");
            if (r.GetValue(output) is { } o && File.Exists(o)) throw new UsageException($"--out: '{o}' is a file, not a directory");
            BenchmarkTable loaded;
            try
            {
                loaded = BenchmarkTable.Load(path);
            }
            catch (Exception e) when (e is FileNotFoundException or FormatException)
            {
                throw new UsageException($"--table: {e.Message}");
            }
            var scratch = Path.Combine(Path.GetTempPath(), $"evoact-bench-search-{Environment.ProcessId}");
            var options = new SearchBenchmark.Options(path, names, r.GetValue(seeds), r.GetValue(budget), r.GetValue(config.Preset), r.GetValue(config.File),
                                                      r.GetValue(config.Sets) ?? [], Math.Max(1, r.GetValue(parallel)), scratch);
            // Bad settings fail here, once, with the key's name, not in every replay.
            SearchBenchmark.Settings(options, loaded, names[0], 0, Path.Combine(scratch, "check"));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            int done = 0, total = names.Length * options.Seeds;
            var progress = new Progress<SearchReplay>(p =>
                Console.Error.WriteLine($"[{Interlocked.Increment(ref done)}/{total}] {p.Strategy} seed {p.Seed}: {p.Trainings} trainings in {p.Seconds:F1} s, " +
                                        $"top 1% at {(p.TrainingsToTop1?.ToString(CultureInfo.InvariantCulture) ?? "never")}"));
            IReadOnlyList<StrategySummary> summaries;
            try
            {
                summaries = SearchBenchmark.RunAsync(options, loaded, progress).GetAwaiter().GetResult();
            }
            finally
            {
                if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
            }
            if (r.GetValue(output) is { } dir)
            {
                Directory.CreateDirectory(dir);
                var png = RegretPlot.Write(Path.Combine(dir, "regret.png"), loaded, summaries);
                File.WriteAllText(Path.Combine(dir, "replays.csv"), ReplaysCsv(summaries));
                Console.Error.WriteLine($"wrote {png} and {Path.Combine(dir, "replays.csv")}");
            }
            if (r.GetValue(json)) WriteJson(loaded, options, summaries, clock.Elapsed.TotalSeconds);
            else WriteText(loaded, options, summaries, clock.Elapsed.TotalSeconds);
            return 0;
        });
        return command;
    }

    static string F(double v, string format = "F4") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    static void WriteText(BenchmarkTable table, SearchBenchmark.Options o, IReadOnlyList<StrategySummary> summaries, double seconds)
    {
        Console.WriteLine($"table {table.Name}: {table.Functions.Count} functions, top 1% >= {F(table.TopThreshold(0.01))}, top 0.1% >= {F(table.TopThreshold(0.001))}");
        Console.WriteLine($"budget {o.Budget} trainings, {o.Seeds} seeds per strategy, {seconds:F1} s");
        Console.WriteLine($"{"strategy",-28} {"to top 1% (IQR)",-22} {"reached",-8} {"to top 0.1% (IQR)",-22} {"reached",-8} {"best true",-10} {"returned",-10} {"free",-6}");
        foreach (var s in summaries)
        {
            string Iqr(Func<SearchReplay, int?> f)
            {
                var v = s.Replays.Select(r => (double)(f(r) ?? o.Budget)).ToArray();
                return $"{F(StrategySummary.Quantile(v, 0.5), "0.##")} ({F(StrategySummary.Quantile(v, 0.25), "0.##")}-{F(StrategySummary.Quantile(v, 0.75), "0.##")})";
            }
            Console.WriteLine($"{s.Strategy,-28} {Iqr(r => r.TrainingsToTop1),-22} {$"{s.ReachedTop1}/{s.Seeds}",-8} {Iqr(r => r.TrainingsToTop01),-22} " +
                              $"{$"{s.ReachedTop01}/{s.Seeds}",-8} {F(s.MedianBestTrueFitness),-10} {F(s.MedianReturnedTrueFitness),-10} {F(s.MedianFreeShare, "P0"),-6}");
        }
        if (summaries.FirstOrDefault(s => s.Strategy == "random") is not { } random) return;
        foreach (var s in summaries.Where(s => s != random))
            if (s.Top1SpeedupOver(random) is { } x)
                Console.WriteLine($"{s.Strategy}: random search needs {F(x.Ratio, "F2")}x its trainings to the top 1% (median; 95% bootstrap over paired seeds {F(x.Low, "F2")}-{F(x.High, "F2")})");
    }

    static void WriteJson(BenchmarkTable table, SearchBenchmark.Options o, IReadOnlyList<StrategySummary> summaries, double seconds) => JsonOutput.Write(w =>
    {
        w.WriteString("table", table.Name);
        w.WriteNumber("functions", table.Functions.Count);
        w.WriteNumber("budget", o.Budget);
        w.WriteNumber("top1_threshold", table.TopThreshold(0.01));
        w.WriteNumber("top01_threshold", table.TopThreshold(0.001));
        w.WriteNumber("seconds", seconds);
        var random = summaries.FirstOrDefault(x => x.Strategy == "random");
        w.WriteStartArray("strategies");
        foreach (var s in summaries)
        {
            w.WriteStartObject();
            w.WriteString("strategy", s.Strategy);
            w.WriteNumber("seeds", s.Seeds);
            w.Number("median_trainings_to_top1", s.MedianTrainingsToTop1);
            w.Number("median_trainings_to_top01", s.MedianTrainingsToTop01);
            w.WriteNumber("reached_top1", s.ReachedTop1);
            w.WriteNumber("reached_top01", s.ReachedTop01);
            w.Number("median_best_true_fitness", s.MedianBestTrueFitness);
            w.Number("median_returned_true_fitness", s.MedianReturnedTrueFitness);
            w.Number("free_share", s.MedianFreeShare);
            w.Number("median_steps_to_top1", s.MedianStepsToTop1);
            Ints(w, "trainings_to_top1", s.Replays.Select(r => r.TrainingsToTop1));
            Ints(w, "trainings_to_top01", s.Replays.Select(r => r.TrainingsToTop01));
            // Against random search, when it was replayed too (null for random itself, or without it).
            if (random is not null && s != random && s.Top1SpeedupOver(random) is { } speedup)
            {
                w.WriteStartObject("top1_speedup_vs_random");
                w.Number("ratio", speedup.Ratio);
                w.Number("low", speedup.Low);
                w.Number("high", speedup.High);
                w.WriteEndObject();
            }
            else w.WriteNull("top1_speedup_vs_random");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    static void Ints(Utf8JsonWriter w, string name, IEnumerable<int?> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
            if (v is { } n) w.WriteNumberValue(n);
            else w.WriteNullValue();
        w.WriteEndArray();
    }

    static string ReplaysCsv(IReadOnlyList<StrategySummary> summaries)
    {
        var sb = new System.Text.StringBuilder("strategy,seed,trainings,proposals,free,trainings_to_top1,trainings_to_top01,best_true_fitness,returned_true_fitness,seconds\n");
        foreach (var r in summaries.SelectMany(s => s.Replays))
            sb.Append(string.Join(",", r.Strategy, r.Seed, r.Trainings, r.Proposals, r.Free, r.TrainingsToTop1?.ToString(CultureInfo.InvariantCulture) ?? "",
                r.TrainingsToTop01?.ToString(CultureInfo.InvariantCulture) ?? "", r.BestTrueFitness.Count == 0 ? "" : F(r.BestTrueFitness[^1], "R"),
                r.ReturnedTrueFitness is { } t ? F(t, "R") : "", F(r.Seconds, "F2"))).Append('\n');
        return sb.ToString();
    }
}
