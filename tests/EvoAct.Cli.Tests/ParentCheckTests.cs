using System.Text.Json;

namespace EvoAct.Cli.Tests;

/// <summary>`evoact.evolution.parent-check` through the CLI: journaled re-evaluations of tournament winners within the budget, their own training seeds, a leaderboard by the mean.</summary>
public sealed class ParentCheckTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-parent-check").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string[] Run => ["run", "--data", dir, "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=1ms", "--set", "trainers.slots=2",
                     "--set", "evolution.population-size=8", "--set", "evolution.sample-size=3", "--set", "evolution.max-evaluations=30",
                     "--set", "evolution.parent-check.seeds=1", "--set", "evolution.final-check.top=3", "--set", "evolution.final-check.seeds=2",
                     "--set", "run.snapshot-every=7"];

    JsonElement Json(params string[] args)
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), [.. args, "--data", dir]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Winners_train_again_within_the_budget_on_seeds_of_their_own_and_rank_by_the_mean()
    {
        var run = EvoactProcess.Run(TimeSpan.FromSeconds(120), Run);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("finished run default: 30 evaluations", run.Stdout);

        var evaluations = Json("export", "--format", "json").GetProperty("evaluations").EnumerateArray().ToArray();
        string Kind(JsonElement e) => e.GetProperty("mutation").GetString()!;
        var checks = evaluations.Where(e => Kind(e) == "parent-check").ToArray();
        Assert.NotEmpty(checks);
        // Within the budget: 30 trainings in all besides the final check's.
        Assert.Equal(30, evaluations.Count(e => Kind(e) != "final-check" && e.GetProperty("status").GetString() is "completed" or "failed" or "diverged"));
        // Each checks an earlier evaluation of the same function, once per function, before any child of it.
        foreach (var c in checks)
        {
            long parent = c.GetProperty("parent_id").GetInt64(), id = c.GetProperty("id").GetInt64();
            var of = evaluations.Single(e => e.GetProperty("id").GetInt64() == parent);
            Assert.Equal(of.GetProperty("fingerprint").GetString(), c.GetProperty("fingerprint").GetString());
            Assert.True(parent < id);
            Assert.DoesNotContain(evaluations, e => Kind(e) is "unary" or "binary" or "identity" && e.GetProperty("parent_id").ValueKind == JsonValueKind.Number
                                                    && e.GetProperty("parent_id").GetInt64() == parent && e.GetProperty("id").GetInt64() < id);
        }
        Assert.Equal(checks.Length, checks.Select(c => c.GetProperty("fingerprint").GetString()).Distinct().Count());

        // Training seeds: the search's 0, a parent check's 1, the final check's 2 and 3 (never one twice).
        var perSeed = Json("export", "--format", "json", "--per-seed").GetProperty("evaluations").EnumerateArray().ToArray();
        ulong[] SeedsOf(string kind) => perSeed.Where(e => Kind(e) == kind).Select(e => e.GetProperty("seed").GetUInt64()).Distinct().Order().ToArray();
        Assert.Equal([1UL], SeedsOf("parent-check"));
        Assert.Equal([2UL, 3UL], SeedsOf("final-check"));
        Assert.Equal([0UL], perSeed.Where(e => Kind(e) is "random" or "unary" or "binary" or "identity" && e.GetProperty("seed").ValueKind == JsonValueKind.Number)
                                   .Select(e => e.GetProperty("seed").GetUInt64()).Distinct().ToArray());

        // The leaderboard: a checked function's mean and seed count count its parent check.
        var top = Json("top", "-k", "40", "--json").GetProperty("top").EnumerateArray().ToArray();
        var checkedFingerprints = checks.Select(c => c.GetProperty("fingerprint").GetString()).ToHashSet();
        string? FingerprintOf(JsonElement t) => evaluations.Single(e => e.GetProperty("id").GetInt64() == t.GetProperty("id").GetInt64()).GetProperty("fingerprint").GetString();
        Assert.Contains(top, t => checkedFingerprints.Contains(FingerprintOf(t)));
        foreach (var t in top)
            Assert.Equal((checkedFingerprints.Contains(FingerprintOf(t)) ? 2 : 1) + (t.GetProperty("checked").GetBoolean() ? 2 : 0), t.GetProperty("seeds").GetInt32());

        // Finished: run again, nothing more is trained.
        var again = EvoactProcess.Run(TimeSpan.FromSeconds(60), Run);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(evaluations.Length, Json("export", "--format", "json").GetProperty("evaluations").GetArrayLength());
    }

    [Fact]
    public void A_resume_cannot_switch_it_on()
    {
        string[] without = [.. Run.Where((a, i) => !(a == "evolution.parent-check.seeds=1" || (i + 1 < Run.Length && Run[i + 1] == "evolution.parent-check.seeds=1")))];
        string[] short_ = [.. without.Select(a => a == "evolution.max-evaluations=30" ? "evolution.max-evaluations=10" : a)];
        var first = EvoactProcess.Run(TimeSpan.FromSeconds(60), short_);
        Assert.True(first.ExitCode == 0, first.ToString());
        var resumed = EvoactProcess.Run(TimeSpan.FromSeconds(60), Run);
        Assert.Equal(2, resumed.ExitCode);
        Assert.Contains("parent-check", resumed.Stderr);
    }
}
