using System.Text.Json;

namespace EvoAct.Cli.Tests;

/// <summary>`evoact.evolution.final-check` through the CLI: journaled re-evaluations after the budget, a leaderboard by the mean, a finished run that stays finished.</summary>
public sealed class FinalCheckTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-final-check").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string[] Run => ["run", "--data", dir, "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=1ms", "--set", "trainers.slots=2",
                     "--set", "evolution.population-size=8", "--set", "evolution.sample-size=3", "--set", "evolution.max-evaluations=30",
                     "--set", "evolution.final-check.top=3", "--set", "evolution.final-check.seeds=2"];

    JsonElement Json(params string[] args)
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), [.. args, "--data", dir]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void The_top_three_train_again_outside_the_budget_and_the_leaderboard_ranks_them_by_the_mean_of_their_seeds()
    {
        var run = EvoactProcess.Run(TimeSpan.FromSeconds(120), Run);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("finished run default: 30 evaluations", run.Stdout);

        var evaluations = Json("export", "--format", "json").GetProperty("evaluations").EnumerateArray().ToArray();
        var checks = evaluations.Where(e => e.GetProperty("mutation").GetString() == "final-check").ToArray();
        Assert.Equal(3, checks.Length);
        Assert.All(checks, c => Assert.Equal(2, c.GetProperty("seeds").GetInt32()));
        var checkedIds = checks.Select(c => c.GetProperty("parent_id").GetInt64()).ToArray();
        // The progress line counts the re-evaluations (the evaluation count stands at the budget meanwhile).
        Assert.Contains(run.Stdout.Split('\n'), l => l.StartsWith("[30/30] final check 3/3 "));

        var top = Json("top", "-k", "5", "--json").GetProperty("top").EnumerateArray().ToArray();
        Assert.Equal(checkedIds.Order(), top.Take(3).Select(t => t.GetProperty("id").GetInt64()).Order());
        Assert.All(top.Take(3), t => Assert.Equal((true, 3), (t.GetProperty("checked").GetBoolean(), t.GetProperty("seeds").GetInt32())));
        Assert.All(top.Skip(3), t => Assert.Equal((false, 1), (t.GetProperty("checked").GetBoolean(), t.GetProperty("seeds").GetInt32())));
        var means = top.Take(3).Select(t => t.GetProperty("mean").GetDouble()).ToArray();
        Assert.Equal(means.OrderDescending(), means);

        // Export shows each checked function's mean ± sd over its 3 trainings, on both of its rows, as top does; nothing on the others.
        foreach (var t in top.Take(3))
        {
            long id = t.GetProperty("id").GetInt64();
            var rows = evaluations.Where(e => e.GetProperty("id").GetInt64() == id || e.GetProperty("parent_id").ValueKind == JsonValueKind.Number && e.GetProperty("parent_id").GetInt64() == id && e.GetProperty("mutation").GetString() == "final-check").ToArray();
            Assert.Equal(2, rows.Length);
            Assert.All(rows, r => Assert.Equal((t.GetProperty("mean").GetDouble(), 3), (r.GetProperty("function_mean").GetDouble(), r.GetProperty("function_seeds").GetInt32())));
            Assert.All(rows, r => Assert.Equal(t.GetProperty("sd").GetDouble(), r.GetProperty("function_sd").GetDouble(), 12));
        }
        Assert.Equal(6, evaluations.Count(e => e.GetProperty("function_seeds").ValueKind == JsonValueKind.Number));
        var csv = EvoactProcess.Run(TimeSpan.FromSeconds(60), "export", "--data", dir);
        Assert.EndsWith(",device,function_mean,function_sd,function_seeds", csv.Stdout.Split('\n')[0]);

        var status = Json("status", "--json");
        Assert.Equal(30, status.GetProperty("completed").GetInt32()); // the re-evaluations cost no budget
        Assert.Equal(0, status.GetProperty("in_flight").GetInt32());
        Assert.True(status.GetProperty("finished").GetBoolean());
        var best = status.GetProperty("best");
        Assert.True(best.GetProperty("final_checked").GetBoolean());
        Assert.Equal(3, best.GetProperty("seed_count").GetInt32());
        Assert.Equal(3, best.GetProperty("seeds").GetArrayLength());
        Assert.Equal(top[0].GetProperty("id").GetInt64(), best.GetProperty("id").GetInt64());

        // Finished, final check included: run again, nothing more is trained.
        var again = EvoactProcess.Run(TimeSpan.FromSeconds(60), Run);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(evaluations.Length, Json("export", "--format", "json").GetProperty("evaluations").GetArrayLength());
    }
}
