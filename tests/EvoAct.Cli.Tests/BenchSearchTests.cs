using System.Text.Json;

namespace EvoAct.Cli.Tests;

/// <summary>
/// `evoact bench search` on a small table made here: an exhaustive run of the smoke preset with real
/// training (2 seeds, learning curves) over 4 x 4 x 2 = 32 genomes, exported per seed.
/// </summary>
public sealed class BenchSearchTests : IClassFixture<BenchSearchTests.SmallTable>
{
    public sealed class SmallTable : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("evoact-bench-search").FullName;
        public string Table => Path.Combine(Dir, "table.csv");
        public static readonly string[] Space = ["--set", "search-space.core-units=1", "--set", "search-space.unary=[x, neg, tanh, relu]", "--set", "search-space.binary=[add, max]"];

        public SmallTable()
        {
            var run = EvoactProcess.Run(TimeSpan.FromMinutes(3), ["run", "--preset", "smoke", "--data", Dir, "--run", "table", "--set", "evolution.strategy=exhaustive",
                "--set", "evolution.seeds-per-candidate=2", "--set", "evolution.max-evaluations=1000", "--set", "training.record-test=true", .. Space]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains(run.Stdout.Split('\n'), l => l.Contains(" genome 32/32 ")); // the progress says how far through the space
            var export = EvoactProcess.Run("export", "--data", Dir, "--run", "table", "--per-seed", "--out", Table);
            Assert.True(export.ExitCode == 0, export.ToString());
        }

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }

    readonly SmallTable table;
    public BenchSearchTests(SmallTable table) => this.table = table;

    [Fact]
    public void The_table_has_a_row_per_seed_with_loss_test_accuracy_and_learning_curve()
    {
        var lines = File.ReadAllLines(table.Table);
        Assert.Equal("id,parent_id,mutation,genome,expression,fingerprint,status,fitness,reason,worker,seconds,proposed_at,settled_at,seeds,seed,loss,test_accuracy,curve,device,function_mean,function_sd,function_seeds", lines[0]);
        var completed = lines.Skip(1).Where(l => l.Contains(",completed,")).ToArray();
        Assert.NotEmpty(completed);
        Assert.All(completed, l => Assert.Matches(@",1,[01],[0-9.E-]+,[0-9.]+,0\.125:\d+:[0-9.]+:[0-9.E+-]+;0\.25:.*;1:20:[0-9.]+:[0-9.E+-]+,cpu,,,$", l)); // no final check: its three columns empty
    }

    [Fact]
    public void Json_reports_every_strategy_with_the_issue_keys_and_the_plot_is_written()
    {
        var outDir = Path.Combine(table.Dir, "out");
        var r = EvoactProcess.Run(TimeSpan.FromMinutes(2), "bench", "search", "--table", table.Table, "--seeds", "3", "--budget", "12", "--json", "--out", outDir,
                                  "--set", "evolution.population-size=4", "--set", "evolution.sample-size=2");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(table.Table, root.GetProperty("table").GetString());
        Assert.Equal(12, root.GetProperty("budget").GetInt32());
        var strategies = root.GetProperty("strategies").EnumerateArray().ToArray();
        Assert.Equal(["regularized", "tournament", "random"], strategies.Select(s => s.GetProperty("strategy").GetString()));
        foreach (var s in strategies)
        {
            Assert.Equal(3, s.GetProperty("seeds").GetInt32());
            var perSeed = s.GetProperty("trainings_to_top1").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? 12 : v.GetInt32()).Order().ToArray();
            Assert.Equal(perSeed[1], s.GetProperty("median_trainings_to_top1").GetDouble()); // a seed that never got there counts as the budget
            foreach (var key in new[] { "median_trainings_to_top01", "median_best_true_fitness", "free_share", "median_steps_to_top1" })
                Assert.True(s.TryGetProperty(key, out _), key);
            Assert.Equal(perSeed[1] * 20, s.GetProperty("median_steps_to_top1").GetDouble()); // 20 steps per training in the smoke preset
            Assert.InRange(s.GetProperty("free_share").GetDouble(), 0, 1);
            // Against random search: the ratio of the medians, with its interval; none for random itself.
            var speedup = s.GetProperty("top1_speedup_vs_random");
            if (s.GetProperty("strategy").GetString() == "random") Assert.Equal(JsonValueKind.Null, speedup.ValueKind);
            else
            {
                var random = strategies.Single(x => x.GetProperty("strategy").GetString() == "random").GetProperty("median_trainings_to_top1").GetDouble();
                Assert.Equal(random / s.GetProperty("median_trainings_to_top1").GetDouble(), speedup.GetProperty("ratio").GetDouble(), 9);
                Assert.True(speedup.GetProperty("low").GetDouble() <= speedup.GetProperty("high").GetDouble());
            }
        }
        var png = File.ReadAllBytes(Path.Combine(outDir, "regret.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(10, File.ReadAllLines(Path.Combine(outDir, "replays.csv")).Length);
    }

    [Fact]
    public void The_text_output_gives_the_medians_unrounded_and_the_comparison_with_random_search()
    {
        string[] args = ["bench", "search", "--table", table.Table, "--strategy", "random,regularized", "--seeds", "4", "--budget", "12",
                         "--set", "evolution.population-size=4", "--set", "evolution.sample-size=2", "--set", "trainers.table-time-scale=0"];
        var text = EvoactProcess.Run(TimeSpan.FromMinutes(2), args);
        Assert.True(text.ExitCode == 0, text.ToString());
        var json = EvoactProcess.Run(TimeSpan.FromMinutes(2), [.. args, "--json"]);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Stdout);
        var s = doc.RootElement.GetProperty("strategies").EnumerateArray().ToArray();
        var lines = text.Stdout.Split('\n');
        // Replays are deterministic in their seeds, so both runs found the same; 4 seeds make medians like 6.5.
        var random = s[0].GetProperty("median_trainings_to_top1").GetDouble().ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(lines, l => l.StartsWith("random ") && l.Contains($" {random} ("));
        var x = s[1].GetProperty("top1_speedup_vs_random");
        string F2(string key) => x.GetProperty(key).GetDouble().ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"regularized: random search needs {F2("ratio")}x its trainings to the top 1% (median; 95% bootstrap over paired seeds {F2("low")}-{F2("high")})", lines);
    }

    [Theory]
    [InlineData("--strategy", "regularized,annealing", "unknown strategy 'annealing'")]
    [InlineData("--seeds", "0", "--seeds")]
    [InlineData("--budget", "-3", "--budget")]
    public void Bad_arguments_are_one_line_and_exit_2(string option, string value, string message)
    {
        var r = EvoactProcess.Run("bench", "search", "--table", table.Table, option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_missing_table_or_a_run_over_another_space_is_refused_with_exit_2()
    {
        var missing = EvoactProcess.Run("bench", "search", "--table", Path.Combine(table.Dir, "none.csv"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr);
        var run = EvoactProcess.Run("run", "--preset", "smoke", "--data", Path.Combine(table.Dir, "other"), "--set", "trainers.kind=table",
                                    "--set", $"trainers.table=\"{table.Table}\"", "--set", "search-space.core-units=1", "--set", "search-space.unary=[x, neg, tanh, sin]",
                                    "--set", "search-space.binary=[add, max]");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("evoact.search-space", run.Stderr);
        Assert.Contains("is not the table's", run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(table.Dir, "other")) && Directory.EnumerateFiles(Path.Combine(table.Dir, "other")).Any());
    }

    [Fact]
    public void A_table_run_replays_the_table_through_the_journal_and_status_shows_the_best_curve()
    {
        var data = Path.Combine(table.Dir, "replay");
        var run = EvoactProcess.Run(TimeSpan.FromMinutes(1), ["run", "--preset", "smoke", "--data", data, "--set", "trainers.kind=table", "--set", $"trainers.table=\"{table.Table}\"",
                                    "--set", "evolution.max-evaluations=10", "--set", "evolution.population-size=4", "--set", "evolution.sample-size=2", .. SmallTable.Space]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var status = EvoactProcess.Run("status", "--data", data, "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        using var doc = JsonDocument.Parse(status.Stdout);
        var best = doc.RootElement.GetProperty("best");
        var seeds = best.GetProperty("seeds").EnumerateArray().ToArray();
        Assert.Single(seeds);
        Assert.Equal(best.GetProperty("fitness").GetDouble(), seeds[0].GetProperty("accuracy").GetDouble());
        var curve = seeds[0].GetProperty("curve").EnumerateArray().ToArray();
        Assert.Equal([0.125, 0.25, 0.5, 1.0], curve.Select(p => p.GetProperty("fraction").GetDouble()));
        Assert.Equal(seeds[0].GetProperty("accuracy").GetDouble(), curve[^1].GetProperty("accuracy").GetDouble());
        // the answer is one of the table's recorded trainings of that function
        var rows = File.ReadAllLines(table.Table).Where(l => l.Contains($",{seeds[0].GetProperty("accuracy").GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture)},"));
        Assert.NotEmpty(rows);
    }

    [Fact]
    public void Rung_and_parent_check_variants_are_entries_of_their_own_and_rungs_the_table_has_no_curve_for_are_refused()
    {
        var r = EvoactProcess.Run(TimeSpan.FromMinutes(2), "bench", "search", "--table", table.Table, "--seeds", "2", "--budget", "10", "--json",
                                  "--strategy", "regularized,regularized+rungs,random+rungs=0.25/1@0.3,regularized+parent-check+rungs", "--set", "evolution.population-size=4", "--set", "evolution.sample-size=2");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(["regularized", "regularized+rungs", "random+rungs=0.25/1@0.3", "regularized+parent-check+rungs"],
                     doc.RootElement.GetProperty("strategies").EnumerateArray().Select(s => s.GetProperty("strategy").GetString()));
        var bad = EvoactProcess.Run("bench", "search", "--table", table.Table, "--strategy", "regularized+rungs=0.3/1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("no learning-curve points at 0.3", bad.Stderr);
        var unknown = EvoactProcess.Run("bench", "search", "--table", table.Table, "--strategy", "regularized+hyperband");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("unknown variant '+hyperband'", unknown.Stderr);
        var zero = EvoactProcess.Run("bench", "search", "--table", table.Table, "--strategy", "regularized+parent-check=0");
        Assert.Equal(2, zero.ExitCode);
        Assert.Contains("unknown variant '+parent-check=0'", zero.Stderr);
    }

    [Fact]
    public void A_real_search_with_rungs_stops_candidates_and_says_where()
    {
        var data = Path.Combine(table.Dir, "rungs");
        var run = EvoactProcess.Run(TimeSpan.FromMinutes(2), ["run", "--preset", "smoke", "--data", data, "--set", "evolution.max-evaluations=12",
                                    "--set", "evolution.population-size=4", "--set", "evolution.sample-size=2", "--set", "evolution.fidelity.rungs=[0.25, 0.5, 1.0]"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var status = EvoactProcess.Run("status", "--data", data, "--json");
        using var doc = JsonDocument.Parse(status.Stdout);
        int stopped = doc.RootElement.GetProperty("stopped").GetInt32();
        Assert.True(stopped > 0, status.Stdout);
        var export = EvoactProcess.Run("export", "--data", data);
        var rows = export.Stdout.Split('\n').Where(l => l.Contains(",stopped,")).ToArray();
        Assert.Equal(stopped, rows.Length);
        Assert.All(rows, l => Assert.Matches("stopped at 0\\.(25|5) of the budget", l));
    }
}
