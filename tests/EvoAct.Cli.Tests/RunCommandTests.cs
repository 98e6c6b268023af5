using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvoAct.Cli.Tests;

/// <summary>`evoact run`, `status` and `top` as processes on a real SQLite journal, with fake trainers.</summary>
public sealed class RunCommandTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-cli-run").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string[] Args(string command, string run, int max, string delay = "5ms", params string[] extra) =>
    [
        command, "--data", dir, "--run", run,
        "--set", "trainers.kind=fake", "--set", $"trainers.fake-delay={delay}",
        "--set", "evolution.population-size=10", "--set", "evolution.sample-size=3",
        "--set", $"evolution.max-evaluations={max}", "--set", "run.progress-interval=100ms", .. extra,
    ];

    static JsonElement Status(string[] args)
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), args);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    string[] StatusArgs(string run) => ["status", "--data", dir, "--run", run, "--json"];

    [Fact]
    public void Run_finishes_then_a_second_run_resumes_where_it_stopped()
    {
        var first = EvoactProcess.Run(TimeSpan.FromSeconds(90), Args("run", "r1", 20));
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("starting run r1", first.Stdout);
        Assert.Contains("finished run r1: 20 evaluations", first.Stdout);

        var second = EvoactProcess.Run(TimeSpan.FromSeconds(90), Args("run", "r1", 30));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("resuming run r1 at evaluation 20", second.Stdout);
        Assert.Contains("config changed: max-evaluations: 20 -> 30", second.Stdout);

        var status = Status(StatusArgs("r1"));
        Assert.Equal("r1", status.GetProperty("run").GetString());
        Assert.Equal(30, status.GetProperty("completed").GetInt32() + status.GetProperty("failed").GetInt32() + status.GetProperty("diverged").GetInt32());
        Assert.Equal(0, status.GetProperty("in_flight").GetInt32());
        Assert.Equal(10, status.GetProperty("population").GetArrayLength());
        var best = status.GetProperty("best");
        Assert.True(best.GetProperty("fitness").GetDouble() >= status.GetProperty("population").EnumerateArray().Max(p => p.GetProperty("fitness").GetDouble()));

        var top = EvoactProcess.Run("top", "-k", "3", "--data", dir, "--run", "r1", "--json");
        using var doc = JsonDocument.Parse(top.Stdout);
        var rows = doc.RootElement.GetProperty("top").EnumerateArray().ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Equal(best.GetProperty("fitness").GetDouble(), rows[0].GetProperty("fitness").GetDouble());
        Assert.True(rows[0].GetProperty("fitness").GetDouble() >= rows[1].GetProperty("fitness").GetDouble());
    }

    /// <summary>The settled evaluations in the journal now (id, expression, status, fitness), read as `export` reads them.</summary>
    Dictionary<long, (string Expression, string Status, double? Fitness)> Settled(string run)
    {
        var export = EvoactProcess.Run(TimeSpan.FromSeconds(120), "export", "--format", "json", "--data", dir, "--run", run);
        Assert.True(export.ExitCode == 0, export.ToString());
        using var doc = JsonDocument.Parse(export.Stdout);
        var rows = doc.RootElement.GetProperty("evaluations").EnumerateArray().ToArray();
        var ids = rows.Select(e => e.GetProperty("id").GetInt64()).ToArray();
        Assert.True(ids.Length == ids.Distinct().Count(), $"an id is in the journal twice: {string.Join(",", ids)}");
        return rows.ToDictionary(e => e.GetProperty("id").GetInt64(), e => (
            e.GetProperty("expression").GetString()!, e.GetProperty("status").GetString()!,
            e.GetProperty("fitness").ValueKind == JsonValueKind.Number ? e.GetProperty("fitness").GetDouble() : (double?)null));
    }

    [Fact]
    public void Kill_9_mid_run_loses_nothing_and_the_resumed_run_reaches_max_evaluations()
    {
        // The first run's budget cannot be spent while the test reads the journal, however slow the
        // machine; the resumed run gets a budget of its own (a change a resume may make).
        Dictionary<long, (string, string, double?)> durable;
        using (var run = EvoactProcess.Start(Args("run", "k9", 1_000_000, delay: "100ms")))
        {
            run.WaitForLine(l => Regex.IsMatch(l, @"^\[(1[5-9]|[2-9][0-9]|\d{3,})/1000000\]"), TimeSpan.FromSeconds(120));
            // What is durable is what the journal holds, read while the run is live; the progress line's
            // count is in-memory and may run ahead of the writes.
            durable = Settled("k9");
            Assert.False(run.HasExited, $"the run ended before the kill; stderr:\n{run.Stderr}");
            run.KillHard();
        }
        Assert.True(durable.Count >= 1, "the journal held no settled evaluation before the kill");
        var atKill = Settled("k9");
        Assert.All(durable, d => Assert.Equal(d.Value, atKill[d.Key]));
        int completedBefore = atKill.Values.Count(v => v.Status == "completed");
        int max = completedBefore + 30;

        var resumed = EvoactProcess.Run(TimeSpan.FromSeconds(180), Args("run", "k9", max, delay: "20ms"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"resuming run k9 at evaluation {completedBefore}", resumed.Stdout);
        Assert.Contains($"config changed: max-evaluations: 1000000 -> {max}", resumed.Stdout);

        var after = Status(StatusArgs("k9"));
        Assert.Equal(max, after.GetProperty("completed").GetInt32());
        Assert.Equal(0, after.GetProperty("in_flight").GetInt32());
        // Every evaluation settled before the kill is still there, unchanged, and no id is there twice (Settled checks).
        var final = Settled("k9");
        Assert.All(atKill, d => Assert.Equal(d.Value, final[d.Key]));
        Assert.Equal(max, final.Values.Count(v => v.Status == "completed"));
    }

    [Fact]
    public void Status_reads_a_live_run_and_ctrl_c_stops_it_gracefully()
    {
        // A budget the run cannot spend while the test watches, however slow the machine: with 500
        // evaluations of 50 ms the run could finish (25 s) while a starved `status` was still
        // starting, and then there was no live run left to read or to stop.
        using var run = EvoactProcess.Start(Args("run", "live", 1_000_000, delay: "50ms"));
        run.WaitForLine(l => l.StartsWith("starting run live"), TimeSpan.FromSeconds(120));
        int completed = 0;
        for (int attempt = 0; completed < 3; attempt++)
        {
            Assert.True(attempt < 100, $"status never saw 3 evaluations of the live run (last: {completed}); run stdout:\n{string.Join("\n", run.Lines)}");
            Assert.False(run.HasExited, $"the run exited; stderr:\n{run.Stderr}");
            completed = Status(StatusArgs("live")).GetProperty("completed").GetInt32();
            if (completed < 3) Thread.Sleep(200);
        }
        Assert.False(run.HasExited);

        run.Signal("INT");
        Assert.Equal(0, run.WaitForExit(TimeSpan.FromSeconds(120)));
        var stopped = Assert.Single(run.Lines, l => l.StartsWith("stopped run live at evaluation"));
        Assert.DoesNotContain(run.Lines, l => l.StartsWith("finished run live"));
        int at = int.Parse(Regex.Match(stopped, @"at evaluation (\d+)").Groups[1].Value);
        Assert.True(at >= completed, $"stopped at {at}, but status had already read {completed} from the journal");
        Assert.DoesNotContain("Exception", run.Stderr);
        Assert.False(Status(StatusArgs("live")).GetProperty("finished").GetBoolean()); // stopped, its budget not spent
    }

    [Fact]
    public void A_second_run_on_a_live_run_exits_2_and_leaves_it_running()
    {
        using var live = EvoactProcess.Start(Args("run", "locked", 1_000_000, delay: "50ms"));
        live.WaitForLine(l => l.StartsWith("starting run locked"), TimeSpan.FromSeconds(120));
        var second = EvoactProcess.Run(TimeSpan.FromSeconds(120), Args("run", "locked", 10));
        Assert.Equal(2, second.ExitCode);
        Assert.Equal([$"evoact: config error: --run: run 'locked' is already running in {dir} (lock file {Path.Combine(dir, "locked.lock")})"], second.StderrLines);
        Assert.False(live.HasExited, "the live run was disturbed");
        // Another run in the same directory is not held up by the lock.
        Assert.Equal(0, EvoactProcess.Run(TimeSpan.FromSeconds(120), Args("run", "neighbour", 3)).ExitCode);
        live.Signal("INT");
        Assert.Equal(0, live.WaitForExit(TimeSpan.FromSeconds(120)));
    }

    [Fact]
    public void Changing_the_search_space_on_resume_is_refused_with_exit_2_and_nothing_written()
    {
        Assert.Equal(0, EvoactProcess.Run(TimeSpan.FromSeconds(90), Args("run", "fixed", 12)).ExitCode);
        var db = Path.Combine(dir, "evoact.db");
        var before = Status(StatusArgs("fixed")).GetRawText();

        var r = EvoactProcess.Run(TimeSpan.FromSeconds(90), Args("run", "fixed", 12, extra: ["--set", "search-space.unary=[x, sin, relu]"]));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("refusing to resume run 'fixed': the search space differs", r.Stderr);
        Assert.Single(r.StderrLines);
        Assert.Equal(before, Status(StatusArgs("fixed")).GetRawText());
    }

    [Theory]
    [InlineData("evolution.sample-size=500", "evoact.evolution.sample-size: 500 is larger than population-size 100")]
    [InlineData("evolution.strategy=annealing", "evoact.evolution.strategy: expected one of regularized, tournament, random")]
    [InlineData("mutation.unary-weight=-1", "evoact.mutation.unary-weight: must be in")]
    [InlineData("run.evaluation-timeout=soon", "evoact.run.evaluation-timeout: expected a duration")]
    public void Bad_config_exits_2_before_anything_is_written(string set, string expected)
    {
        var data = Path.Combine(dir, "never");
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(30), ["run", "--data", data, "--run", "x", "--set", set]);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains(expected, r.Stderr);
        Assert.False(Directory.Exists(data), "nothing may be written for a bad config");
    }

    [Fact]
    public void Export_writes_csv_and_json_files_with_every_evaluation()
    {
        Assert.Equal(0, EvoactProcess.Run(TimeSpan.FromSeconds(90), Args("run", "ex", 15)).ExitCode);
        var csv = Path.Combine(dir, "h.csv");
        var json = Path.Combine(dir, "h.json");
        Assert.Equal(0, EvoactProcess.Run("export", "--data", dir, "--run", "ex", "--out", csv).ExitCode);
        Assert.Equal(0, EvoactProcess.Run("export", "--data", dir, "--run", "ex", "--format", "json", "--out", json).ExitCode);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("id,parent_id,mutation,genome,expression,fingerprint,status,fitness,reason,worker,seconds,proposed_at,settled_at,seeds,seed,loss,test_accuracy,curve,device,function_mean,function_sd,function_seeds", lines[0]);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.GetProperty("evaluations").EnumerateArray().ToArray();
        Assert.Equal(lines.Length - 1, rows.Length);
        Assert.Equal(15, rows.Count(r => r.GetProperty("status").GetString() == "completed"));
        // Children name their parent; the first P are random.
        Assert.All(rows.Take(10), r => Assert.Equal("random", r.GetProperty("mutation").GetString()));
        Assert.Contains(rows, r => r.GetProperty("parent_id").ValueKind == JsonValueKind.Number);
        var bad = EvoactProcess.Run("export", "--data", dir, "--run", "ex", "--format", "xml");
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public void Plot_writes_four_valid_pngs_of_the_expected_size()
    {
        Assert.Equal(0, EvoactProcess.Run(TimeSpan.FromSeconds(90), Args("run", "pl", 40)).ExitCode);
        var outDir = Path.Combine(dir, "plots");
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), "plot", "--data", dir, "--run", "pl", "--out", outDir, "-k", "3");
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var name in new[] { "activations.png", "derivatives.png", "fitness.png", "outcomes.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(outDir, name));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            int width = (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19];
            int height = (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23];
            Assert.Equal((1000, 650), (width, height));
            Assert.True(bytes.Length > 20_000, $"{name} is {bytes.Length} bytes: too small to hold curves, labels and a legend");
        }
        Assert.Equal(2, EvoactProcess.Run("plot", "--data", dir, "--run", "none").ExitCode);
    }

    [Fact]
    public void On_a_terminal_run_shows_a_live_table()
    {
        // script(1) gives evoact a pseudo-terminal, as an interactive shell would.
        var dll = EvoactProcess.DllPath;
        var command = string.Join(" ", new[] { "dotnet", dll }.Concat(Args("run", "tty", 25)).Select(a => $"'{a}'"));
        var psi = new System.Diagnostics.ProcessStartInfo("script", ["-qfec", command, "/dev/null"]) { RedirectStandardOutput = true, RedirectStandardInput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        Assert.True(p.WaitForExit(90_000), "evoact under script did not finish");
        var text = Regex.Replace(output.Result, @"\x1b\[[0-9;?]*[A-Za-z]", "");
        Assert.Equal(0, p.ExitCode);
        Assert.Contains("population best / median", text);
        Assert.Contains("25 / 25", text);
        Assert.Contains("finished run tty: 25 evaluations", text);
        Assert.DoesNotContain("[25/25]", text); // no plain progress lines on a terminal
    }

    [Fact]
    public void Status_of_an_unknown_run_exits_2()
    {
        var r = EvoactProcess.Run("status", "--data", dir, "--run", "ghost");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no run 'ghost'", r.Stderr);
    }
}
