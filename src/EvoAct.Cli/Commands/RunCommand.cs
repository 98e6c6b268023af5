using System.CommandLine;
using System.Globalization;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Messages;

namespace EvoAct.Cli.Commands;

/// <summary>
/// `evoact run`: the embedded main job. Run again with the same --data and --run, it resumes.
/// Ctrl-C (or SIGTERM) stops it gracefully with exit code 0.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var options = new RunOptions();
        var dashboard = DashboardCommand.PortOption();
        var command = new Command("run", "Run (or resume) an evolution in this process: coordinator, local trainers, SQLite journal") { dashboard };
        options.AddTo(command, withDevices: true);
        command.SetAction(r => Run(options.Load(r), r.GetValue(dashboard)));
        return command;
    }

    static int Run(Cluster.Configuration.RunSettings s, int? dashboardPort)
    {
        PreloadData(s, s.Trainers.Slots);
        using var stop = new StopSignal();
        var dashboard = DashboardCommand.StartBeside(s, dashboardPort);
        EmbeddedRun.Outcome outcome;
        try
        {
            using var view = new RunProgressView();
            outcome = EmbeddedRun.RunAsync(s, Announce, view.Report, view.ReportOutage, stop.Token).GetAwaiter().GetResult();
        }
        finally
        {
            dashboard?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return Finish(outcome);
    }

    /// <summary>Local torch trainers need the dataset: a bad one stops the command here, before anything is written.</summary>
    internal static void PreloadData(Cluster.Configuration.RunSettings s, int localTrainers)
    {
        if (s.Trainers.Kind == Cluster.Configuration.TrainerKind.Torch && localTrainers > 0) TorchEvaluator.Preload(s.Plan.Training);
    }

    internal static void Announce(RunReady ready)
    {
        if (ready.Refusal is not null) return;
        Console.WriteLine(ready.Finished ? $"run {ready.Run} is already finished: {ready.Evaluations} evaluations"
            : ready.Resumed ? $"resuming run {ready.Run} at evaluation {ready.Evaluations}" : $"starting run {ready.Run}");
        foreach (var change in ready.Changes) Console.WriteLine($"config changed: {change}");
    }

    internal static int Finish(EmbeddedRun.Outcome outcome)
    {
        if (outcome.Ready.Refusal is not null) throw new UsageException(outcome.Ready.Refusal);
        if (outcome.GaveUp is not null)
        {
            // Not bad input: the work itself failed. Everything settled is in the journal; run again to resume.
            Console.Error.WriteLine($"evoact: {outcome.GaveUp}");
            return 1;
        }
        if (outcome.Final is { } f)
        {
            Console.WriteLine(outcome.Interrupted
                ? $"stopped run {f.Run} at evaluation {f.Trained}; run the same command to resume"
                : $"finished run {f.Run}: {f.Trained} evaluations, best {Fmt(f.BestFitness)} {f.BestExpression}");
        }
        else if (outcome.Interrupted) Console.WriteLine($"stopped run {outcome.Ready.Run}; run the same command to resume");
        return 0;
    }

    internal static string Fmt(double? v) => RunProgressView.Fmt(v);
}
