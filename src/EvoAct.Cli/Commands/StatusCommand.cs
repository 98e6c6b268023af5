using System.CommandLine;
using System.Text.Json;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;

namespace EvoAct.Cli.Commands;

/// <summary>`evoact status` and `evoact top`: read a run's journal, live or finished.</summary>
public static class StatusCommand
{
    public static Command CreateStatus()
    {
        var options = new RunOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("status", "Where a run stands: counts, the population, the best so far") { json };
        options.AddTo(command);
        command.SetAction(r =>
        {
            var (s, state) = Load(options, r);
            var ev = state.Evolution!;
            var h = ev.History;
            int Count(EvaluationStatus st) => ev.Count(st);
            var index = h.Select((e, i) => (e.Id, i)).ToDictionary(p => p.Id, p => p.i);
            var best = ev.Best;
            if (r.GetValue(json))
            {
                JsonOutput.Write(w =>
                {
                    w.WriteString("run", s.Name);
                    w.WriteNumber("completed", Count(EvaluationStatus.Completed));
                    w.WriteNumber("failed", Count(EvaluationStatus.Failed));
                    w.WriteNumber("diverged", Count(EvaluationStatus.Diverged));
                    w.WriteNumber("stopped", Count(EvaluationStatus.Stopped));
                    w.WriteNumber("rejected", Count(EvaluationStatus.Rejected));
                    w.WriteNumber("deduplicated", Count(EvaluationStatus.Deduplicated));
                    w.WriteNumber("in_flight", ev.InFlight.Count);
                    w.WriteNumber("max_evaluations", ev.Settings.MaxEvaluations);
                    w.WriteStartArray("population");
                    foreach (var i in ev.Population)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("id", i.Id);
                        w.WriteString("expression", i.Evaluation.Proposal.Expression);
                        w.Number("fitness", i.Fitness);
                        w.WriteNumber("age", h.Count - 1 - index[i.Id]);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    if (best is null) w.WriteNull("best");
                    else
                    {
                        w.WriteStartObject("best");
                        w.WriteNumber("id", best.Id);
                        w.WriteString("expression", best.Proposal.Expression);
                        w.Number("fitness", best.Fitness);
                        if (state.Devices.TryGetValue(best.Id, out var device)) w.WriteString("device", device); else w.WriteNull("device");
                        // Its trainings (a deduplicated best: those of the function's trained twin), with their learning curves.
                        var seeds = state.Seeds.GetValueOrDefault(best.Id) ?? h.Where(e => e.Status == EvaluationStatus.Completed && e.Proposal.Fingerprint == best.Proposal.Fingerprint)
                                                                                .Select(e => state.Seeds.GetValueOrDefault(e.Id)).FirstOrDefault(x => x is not null);
                        w.WriteStartArray("seeds");
                        foreach (var seed in seeds ?? [])
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
                        w.WriteEndObject();
                    }
                });
                return 0;
            }
            Console.WriteLine($"run            {s.Name} ({(ev.Finished ? "finished" : "not finished")})");
            Console.WriteLine($"evaluations    {ev.Trained}/{ev.Settings.MaxEvaluations} trained: {Count(EvaluationStatus.Completed)} completed, {Count(EvaluationStatus.Failed)} failed, {Count(EvaluationStatus.Diverged)} diverged" +
                              (Count(EvaluationStatus.Stopped) > 0 ? $", {Count(EvaluationStatus.Stopped)} stopped at a rung" : ""));
            Console.WriteLine($"free           {Count(EvaluationStatus.Rejected)} rejected, {Count(EvaluationStatus.Deduplicated)} deduplicated");
            Console.WriteLine($"in flight      {ev.InFlight.Count}");
            Console.WriteLine($"population     {ev.Population.Count}, best {RunCommand.Fmt(ev.Population.Select(i => (double?)i.Fitness).Max())}");
            Console.WriteLine($"best           {(best is null ? "-" : $"#{best.Id} {RunCommand.Fmt(best.Fitness)} {best.Proposal.Expression}")}");
            return 0;
        });
        return command;
    }

    public static Command CreateTop()
    {
        var options = new RunOptions();
        var k = new Option<int>("-k") { Description = "How many", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("top", "The best evaluations of a run (one per distinct function)") { k, json };
        options.AddTo(command);
        command.SetAction(r =>
        {
            var (_, state) = Load(options, r);
            if (r.GetValue(k) < 1) throw new UsageException("-k: must be at least 1");
            var top = state.Evolution!.BestDistinct().Take(r.GetValue(k)).ToArray();
            if (r.GetValue(json))
            {
                JsonOutput.Write(w =>
                {
                    w.WriteStartArray("top");
                    foreach (var e in top)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("id", e.Id);
                        w.WriteString("expression", e.Proposal.Expression);
                        w.Number("fitness", e.Fitness);
                        if (e.Worker is null) w.WriteNull("worker"); else w.WriteString("worker", e.Worker);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return 0;
            }
            Console.WriteLine($"{"rank",4} {"id",6} {"fitness",8}  expression");
            for (int i = 0; i < top.Length; i++)
                Console.WriteLine($"{i + 1,4} {top[i].Id,6} {RunCommand.Fmt(top[i].Fitness),8}  {top[i].Proposal.Expression}");
            return 0;
        });
        return command;
    }

    static (Cluster.Configuration.RunSettings, RunState) Load(RunOptions options, ParseResult r)
    {
        var s = options.Load(r);
        var state = JournalReader.ReadAsync(s.Persistence, s.DataDirectory, s.Name).GetAwaiter().GetResult()
                    ?? throw new UsageException($"no run '{s.Name}' in {(s.Persistence.Provider == Cluster.Configuration.JournalProvider.Sqlite ? s.DataDirectory : "the PostgreSQL journal")}");
        return (s, state);
    }
}
