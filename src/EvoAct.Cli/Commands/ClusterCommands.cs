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
        var trainers = new Option<int?>("--trainers") { Description = "Trainer slots on the seed itself (default: one per evoact.trainers.devices entry, else 0: coordinator only)" };
        var dashboard = DashboardCommand.PortOption();
        var command = new Command("seed", "Start the seed node: role coordinator, hosting the population as a cluster singleton") { port, trainers, dashboard };
        options.AddTo(command, withDevices: true);
        command.SetAction(r =>
        {
            var config = options.Config.Load(r);
            var s = options.Load(r);
            var c = ClusterNodeSettings.Read(config);
            if (r.GetValue(trainers) is < 0) throw new UsageException("--trainers: must be 0 or more");
            // A seed is a coordinator first: trainers.slots (run's default of one trainer) does not give it
            // trainers, but devices named for it, on the command line or in its config, do.
            bool named = r.GetValue(options.Devices) is not null || (r.GetValue(trainers) is null && config.StringList("evoact.trainers.devices").Count > 0);
            int local = named ? s.Trainers.Slots : r.GetValue(trainers) ?? 0;
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
            if (ClusterNode.RunWorkerAsync(c, r.GetValue(port), slots, s.Persistence, Console.WriteLine, stop.Token, s.UserAkka).GetAwaiter().GetResult() is { } gaveUp)
            {
                Console.Error.WriteLine($"evoact: {gaveUp}");
                return 1;
            }
            return 0;
        });
        return command;
    }
}
