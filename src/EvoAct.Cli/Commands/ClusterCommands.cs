using System.CommandLine;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Hosting;

namespace EvoAct.Cli.Commands;

/// <summary>`evoact seed` and `evoact worker`: the cluster roles as separate processes (scripts/start-*.sh).</summary>
public static class ClusterCommands
{
    public static Command Seed()
    {
        var options = new RunOptions();
        var port = new Option<int?>("--port") { Description = "Port to bind (default: evoact.cluster.seed-port)" };
        var trainers = new Option<int>("--trainers") { Description = "Trainer slots on the seed itself (default 0: coordinator only)", DefaultValueFactory = _ => 0 };
        var dashboard = DashboardCommand.PortOption();
        var command = new Command("seed", "Start the seed node: role coordinator, hosting the population as a cluster singleton") { port, trainers, dashboard };
        options.AddTo(command, withDevices: true);
        command.SetAction(r =>
        {
            var s = options.Load(r);
            var c = ClusterNodeSettings.Read(options.Config.Load(r));
            int local = r.GetValue(options.Devices) is not null ? s.Trainers.Slots : r.GetValue(trainers);
            RunCommand.PreloadData(s, local);
            using var stop = new StopSignal();
            var board = DashboardCommand.StartBeside(s, r.GetValue(dashboard));
            Cluster.Hosting.EmbeddedRun.Outcome outcome;
            try
            {
                using var view = new RunProgressView();
                outcome = ClusterNode.RunSeedAsync(s, c, r.GetValue(port) ?? c.SeedPort, local, Console.WriteLine,
                    RunCommand.Announce, view.Report, view.ReportOutage, stop.Token).GetAwaiter().GetResult();
            }
            finally
            {
                board?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return RunCommand.Finish(outcome);
        });
        return command;
    }

    public static Command Worker()
    {
        var config = new ConfigOptions();
        var seeds = new Option<string?>("--seed-nodes") { Description = "Comma-separated seed addresses, e.g. akka.tcp://evoact@127.0.0.1:4053" };
        var port = new Option<int>("--port") { Description = "Port to bind (0: any free port)", DefaultValueFactory = _ => 0 };
        var trainers = new Option<int?>("--trainers") { Description = "Trainer slots (default: evoact.trainers.slots)" };
        var devices = new RunOptions().Devices;
        var command = new Command("worker", "Start a worker node: role trainer, pulling candidates from the coordinator") { seeds, port, trainers, devices };
        config.AddTo(command);
        command.SetAction(r =>
        {
            var reader = config.Load(r);
            var list = r.GetValue(seeds)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var c = ClusterNodeSettings.Read(reader, list);
            var s = RunSettings.Read(reader);
            var slots = r.GetValue(devices) is { } d ? s.Trainers.WithDevices(RunOptions.ParseDevices(d))
                      : r.GetValue(trainers) is { } n ? s.Trainers.WithSlots(n) : s.Trainers;
            if (slots.Slots < 1) throw new UsageException("--trainers: a worker needs at least one trainer slot");
            using var stop = new StopSignal();
            ClusterNode.RunWorkerAsync(c, r.GetValue(port), slots, s.Persistence, Console.WriteLine, stop.Token, s.UserAkka).GetAwaiter().GetResult();
            return 0;
        });
        return command;
    }
}
