using System.CommandLine;
using System.Text.Json;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.ReadSide;
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
            int Count(EvaluationStatus st) => ev.Count(st);
            var best = ev.Best;
            if (r.GetValue(json))
            {
                JsonOutput.Write(w => RunStatusJson.Write(w, s.Name, state));
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
            var top = Cluster.ReadSide.Leaderboard.Of(state, r.GetValue(k));
            if (r.GetValue(json))
            {
                JsonOutput.Write(w =>
                {
                    w.WriteStartArray("top");
                    foreach (var row in top)
                    {
                        var e = row.Evaluation;
                        w.WriteStartObject();
                        w.WriteNumber("id", e.Id);
                        w.WriteString("expression", e.Proposal.Expression);
                        w.Number("fitness", e.Fitness);
                        w.Number("mean", row.Mean);
                        w.Number("sd", row.Sd);
                        w.WriteNumber("seeds", row.Seeds);
                        w.WriteBoolean("checked", row.Function.Checked);
                        if (e.Worker is null) w.WriteNull("worker"); else w.WriteString("worker", e.Worker);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return 0;
            }
            // Ranked by the mean where a final check re-evaluated the function (those first), else by its single score.
            Console.WriteLine($"{"rank",4} {"id",6} {"fitness",8} {"mean ± sd",17} {"seeds",5}  expression");
            for (int i = 0; i < top.Count; i++)
            {
                var row = top[i];
                Console.WriteLine($"{i + 1,4} {row.Evaluation.Id,6} {RunCommand.Fmt(row.Evaluation.Fitness),8} {$"{RunCommand.Fmt(row.Mean)} ± {RunCommand.Fmt(row.Sd)}",17} {row.Seeds,5}  {row.Evaluation.Proposal.Expression}");
            }
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
