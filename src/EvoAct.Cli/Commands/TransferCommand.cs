using System.CommandLine;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Transfer;
using EvoAct.Search.Strategies;
using EvoAct.Training.Activations;

namespace EvoAct.Cli.Commands;

/// <summary>
/// `evoact transfer [--data DIR --run NAME] [--top K] [--include relu,swish --include "max(x, sigmoid(x))"] --preset P --runs N`:
/// retrain a run's best activations and the baselines on a bigger setup, N seeds each, and report a
/// table like the paper's Table 1.
/// </summary>
public static class TransferCommand
{
    public static Command Create()
    {
        var options = new RunOptions();
        var top = new Option<int>("--top") { Description = "How many of the run's best distinct activations", DefaultValueFactory = _ => 3 };
        var include = new Option<string[]>("--include")
        {
            Description = "Activations to train beside them: baselines (relu,swish) or expressions (\"max(x, sigmoid(x))\"); repeat it or separate with ';'",
            DefaultValueFactory = _ => ["relu,swish"], AllowMultipleArgumentsPerToken = false,
        };
        var runs = new Option<int>("--runs") { Description = "Seeds per activation", DefaultValueFactory = _ => 3 };
        var name = new Option<string?>("--name") { Description = "Name of this transfer (default transfer-RUN-PRESET); the same name resumes it" };
        var port = PortOption();
        var command = new Command("transfer", "Retrain the best activations of a run and baselines on a bigger model and dataset; report median test accuracy") { top, include, runs, name, port };
        options.AddTo(command, withDevices: true);
        command.SetAction(r =>
        {
            var preset = r.GetValue(options.Config.Preset) ?? throw new UsageException("--preset: required (the setup to transfer to, e.g. transfer-cpu-fmnist)");
            var s = options.Load(r);
            var training = TrainingConfig.Read(options.Config.Load(r));
            if (r.GetValue(top) < 0) throw new UsageException("--top: must be 0 or more");
            if (r.GetValue(runs) < 1) throw new UsageException("--runs: must be at least 1");
            var serve = Serve(r, port, options.Config.Load(r));
            IReadOnlyList<string> baselines;
            try
            {
                baselines = ActivationList.Parse(r.GetValue(include)!);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--include: {e.Message}");
            }

            var source = JournalReader.ReadAsync(s.Persistence, s.DataDirectory, s.Name).GetAwaiter().GetResult()
                         ?? throw new UsageException($"no run '{s.Name}' in {s.DataDirectory}");
            // The run's leaderboard: by the mean over every seed where a final check re-evaluated its functions.
            var best = source.Evolution!.Ranked().Take(r.GetValue(top)).Select(f => f.Evaluation.Proposal.Expression);
            var activations = best.Concat(baselines).Distinct().ToArray();
            var jobs = activations.SelectMany(a => Enumerable.Range(0, r.GetValue(runs)).Select(seed => (a, seed)))
                                  .Select((j, i) => new TransferJob(i, j.a, j.seed)).ToArray();
            var plan = new TransferPlan(s.Name, preset, jobs, training);
            var transferName = CheckName(r.GetValue(name) ?? TransferActor.DefaultName(s.Name, preset));

            // Stopped half-way, it reports what it has (jobs go out seed by seed, so every activation has
            // about as many runs) to NAME-partial.*, saying how much is done; as `fidelity` does.
            void Write(TransferProgress p, string stem)
            {
                var rows = TransferReport.Rows(plan, p.Results.ToDictionary(d => d.Job));
                var markdown = TransferReport.Markdown(plan, rows);
                if (!p.Finished) markdown = PartialHeader(p, "transfer") + markdown;
                Report(Path.Combine(s.DataDirectory, stem), markdown, TransferReport.Csv(plan, rows), file => Plots.TransferPlot.Write(file + ".png", plan, rows));
            }
            var final = Host(s, transferName, plan, $"{activations.Length} activations x {r.GetValue(runs)} runs on {training.Model} ({training.Data.Name})", serve,
                             stopped => Write(stopped, transferName + "-partial"));
            if (final is null) return 0;
            if (final is not { Finished: true }) return 1;
            Write(final, transferName);
            RemovePartial(Path.Combine(s.DataDirectory, transferName));
            return 0;
        });
        return command;
    }

    /// <summary>--port: serve cluster workers (transfer and fidelity).</summary>
    internal static Option<int?> PortOption() => new("--port")
    {
        Description = "Also serve cluster workers: join or form the cluster at evoact.cluster.seed-nodes on this port; workers start with --seed-nodes akka.tcp://evoact@HOST:PORT (local trainers: --devices or trainers.slots, 0 allowed)",
    };

    internal static ServeWorkers? Serve(ParseResult r, Option<int?> port, ConfigReader config)
    {
        if (r.GetValue(port) is not { } p) return null;
        if (p is < 1 or > 65535) throw new UsageException($"--port: {p} is not a port (1-65535)");
        return new ServeWorkers(ClusterNodeSettings.Read(config), p, Console.WriteLine);
    }

    /// <summary>
    /// Runs a transfer plan (a transfer or a fidelity study) over the local trainers, and a cluster's
    /// workers when <paramref name="serve"/> says so, printing its start, progress and outage lines.
    /// The final progress; null when stopped (resume by running the same command again); an unfinished
    /// one when the journal gave up (its line is on stderr).
    /// </summary>
    /// <param name="onStopped">when stopped by a signal, given the jobs done so far (for a partial report)</param>
    internal static TransferProgress? Host(RunSettings s, string name, TransferPlan plan, string what, ServeWorkers? serve = null,
                                           Action<TransferProgress>? onStopped = null)
    {
        // On its own TransferHost runs at least one trainer; serving workers, maybe none.
        RunCommand.PreloadData(s, serve is null ? Math.Max(1, s.Trainers.Slots) : s.Trainers.Slots);
        using var stop = new StopSignal();
        var outcome = TransferHost.RunAsync(s, name, plan, ready =>
        {
            if (ready.Refusal is not null) return;
            Console.WriteLine(ready.Resumed ? $"resuming {Kind(plan)} {ready.Run} at job {ready.Evaluations}/{plan.Jobs.Count}" : $"starting {Kind(plan)} {ready.Run}: {what}");
        }, p => Console.WriteLine($"[{p.Done}/{p.Total}] jobs done"), o => Console.WriteLine(RunProgressView.OutageLine(o)), stop.Token, serve).GetAwaiter().GetResult();
        if (outcome.Ready.Refusal is not null) throw new UsageException(outcome.Ready.Refusal);
        if (outcome.GaveUp is not null)
        {
            Console.Error.WriteLine($"evoact: {outcome.GaveUp}");
            return new TransferProgress(0, plan.Jobs.Count, false, []);
        }
        if (outcome.Final is null)
        {
            Console.WriteLine("stopped; run the same command to resume");
            // The stop itself succeeded and the journal has every result: a report that cannot be
            // written (the disk that filled up is often why the user stopped) is one line, not a failure.
            try
            {
                if (outcome.Latest is { Results.Count: > 0 } latest) onStopped?.Invoke(latest);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"evoact: the partial report was not written: {e.Message}");
            }
        }
        return outcome.Final;
    }

    /// <summary>Writes STEM.md and STEM.csv (and whatever <paramref name="more"/> writes, given the stem), prints the Markdown and what was written.</summary>
    internal static void Report(string stem, string markdown, string csv, Func<string, string>? more = null)
    {
        WriteWhole(stem + ".md", markdown);
        WriteWhole(stem + ".csv", csv);
        var extra = more?.Invoke(stem);
        Console.WriteLine();
        Console.Write(markdown);
        Console.WriteLine();
        Console.WriteLine(extra is null ? $"wrote {stem}.md and {stem}.csv" : $"wrote {stem}.md, {stem}.csv and {extra}");
    }

    /// <summary>Written beside and moved in: a full disk leaves the earlier report, not a truncated one.</summary>
    static void WriteWhole(string path, string text)
    {
        var temporary = path + ".tmp";
        try
        {
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    internal static string PartialHeader(TransferProgress p, string kind) =>
        $"**Partial: {p.Done} of {p.Total} jobs done** (the {kind} goes on when its command is run again).\n\n";

    /// <summary>Once the complete report is written, the partial one of an earlier stop is stale: removed.</summary>
    internal static void RemovePartial(string stem)
    {
        foreach (var ext in new[] { ".md", ".csv", ".png" }) File.Delete(stem + "-partial" + ext);
    }

    /// <summary>A study's name is its journal's persistence id and its report files' stem.</summary>
    internal static string CheckName(string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(name, @"^[A-Za-z0-9._-]+$") && !name.All(ch => ch == '.') ? name
            : throw new UsageException($"--name: '{name}' is not a valid name (letters, digits, - _ .)");

    static string Kind(TransferPlan plan) => plan.Proxy is null ? "transfer" : "fidelity study";
}
