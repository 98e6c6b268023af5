using System.Text.Json;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.ReadSide;

/// <summary>
/// The object `status --json` prints and the dashboard's `GET /api/runs/{run}` serves: counts, what
/// is training where, the population with ages, and the best with its trainings and learning curves. One writer for both,
/// so the two cannot drift apart.
/// </summary>
public static class RunStatusJson
{
    public static void Write(Utf8JsonWriter w, string run, RunState state)
    {
        var ev = state.Evolution!;
        int Count(EvaluationStatus st) => ev.Count(st);
        // After a final check, the best is the leaderboard's first by the mean over its seeds; else the best single score.
        var board = Leaderboard.Of(state, 1);
        var check = board.Count > 0 && board[0].Function.Checked ? board[0] : null;
        var best = check?.Evaluation ?? ev.Best;
        w.WriteString("run", run);
        w.WriteBoolean("finished", ev.Finished); // the budget spent and the final check done
        w.WriteNumber("completed", Count(EvaluationStatus.Completed));
        w.WriteNumber("failed", Count(EvaluationStatus.Failed));
        w.WriteNumber("diverged", Count(EvaluationStatus.Diverged));
        w.WriteNumber("stopped", Count(EvaluationStatus.Stopped));
        w.WriteNumber("rejected", Count(EvaluationStatus.Rejected));
        w.WriteNumber("deduplicated", Count(EvaluationStatus.Deduplicated));
        w.WriteNumber("in_flight", ev.InFlight.Count);
        w.WriteNumber("max_evaluations", ev.Settings.MaxEvaluations);
        // What is in flight and, where the journal has its hand-out, who trains it, on which device, since when.
        w.WriteStartArray("training");
        foreach (var p in ev.InFlight.OrderBy(p => p.Id))
        {
            var d = state.Dispatched.GetValueOrDefault(p.Id);
            w.WriteStartObject();
            w.WriteNumber("id", p.Id);
            w.WriteString("expression", p.Expression);
            if (d is null) { w.WriteNull("worker"); w.WriteNull("device"); w.WriteNull("since"); }
            else
            {
                w.WriteString("worker", d.Worker);
                if (d.Device is null) w.WriteNull("device"); else w.WriteString("device", d.Device);
                w.WriteString("since", d.At);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("population");
        foreach (var (i, age) in PopulationWithAges(state))
        {
            w.WriteStartObject();
            w.WriteNumber("id", i.Id);
            w.WriteString("expression", i.Evaluation.Proposal.Expression);
            w.Number("fitness", i.Fitness);
            w.WriteNumber("age", age);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (best is null) { w.WriteNull("best"); return; }
        w.WriteStartObject("best");
        w.WriteNumber("id", best.Id);
        w.WriteString("expression", best.Proposal.Expression);
        w.Number("fitness", best.Fitness);
        if (state.Devices.TryGetValue(best.Id, out var device)) w.WriteString("device", device); else w.WriteNull("device");
        var trainings = TrainingsOf(state, best).Concat(check?.Function.Rechecks.SelectMany(r => state.Seeds.GetValueOrDefault(r.Id) ?? []) ?? []).ToArray();
        // Without a final check the best's mean is its fitness (the mean of its own seeds).
        w.Number("mean", check is null ? best.Fitness : check.Mean);
        w.Number("sd", check is not null ? check.Sd : Search.Statistics.Spread.SampleSd(trainings.Where(t => t.Accuracy is not null).Select(t => t.Accuracy!.Value).ToArray()));
        w.WriteNumber("seed_count", check?.Seeds ?? Math.Max(1, trainings.Length));
        w.WriteBoolean("final_checked", check is not null);
        WriteSeeds(w, trainings);
        w.WriteEndObject();
    }

    /// <summary>The population, each member with its age: how many evaluations were settled after it.</summary>
    public static IEnumerable<(Individual Member, int Age)> PopulationWithAges(RunState state)
    {
        var h = state.Evolution!.History;
        var index = new Dictionary<long, int>(h.Count);
        for (int i = 0; i < h.Count; i++) index[h[i].Id] = i;
        return state.Evolution.Population.Select(i => (i, h.Count - 1 - index[i.Id]));
    }

    /// <summary>An evaluation's trainings; a deduplicated one: those of its function's trained twin.</summary>
    public static IReadOnlyList<Messages.SeedResult> TrainingsOf(RunState state, Evaluation e) =>
        state.Seeds.GetValueOrDefault(e.Id)
        ?? state.Evolution!.History.Where(t => t.Status == EvaluationStatus.Completed && t.Proposal.Fingerprint == e.Proposal.Fingerprint)
                                   .Select(t => state.Seeds.GetValueOrDefault(t.Id)).FirstOrDefault(x => x is not null)
        ?? [];

    public static void WriteSeeds(Utf8JsonWriter w, IReadOnlyList<Messages.SeedResult> seeds)
    {
        w.WriteStartArray("seeds");
        foreach (var seed in seeds)
        {
            w.WriteStartObject();
            w.WriteNumber("seed", seed.Seed);
            w.WriteString("status", seed.Status);
            w.Number("accuracy", seed.Accuracy);
            w.Number("loss", seed.Loss);
            w.Number("test_accuracy", seed.TestAccuracy);
            w.WriteNumber("seconds", seed.Seconds);
            w.WriteStartArray("curve");
            foreach (var point in seed.Curve ?? [])
            {
                w.WriteStartObject();
                w.WriteNumber("fraction", point.Fraction);
                w.WriteNumber("step", point.Step);
                w.Number("accuracy", point.Accuracy);
                w.Number("loss", point.Loss);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
