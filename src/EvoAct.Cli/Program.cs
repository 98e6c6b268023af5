using System.CommandLine;
using EvoAct.Cli;
using EvoAct.Cli.Commands;

var root = new RootCommand("EvoAct: search for neural-network activation functions by regularized evolution.");
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(ClusterCommands.Seed());
root.Subcommands.Add(ClusterCommands.Worker());
root.Subcommands.Add(StatusCommand.CreateStatus());
root.Subcommands.Add(StatusCommand.CreateTop());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(PlotCommand.Create());
root.Subcommands.Add(ExportActivationCommand.Create());
root.Subcommands.Add(TransferCommand.Create());
root.Subcommands.Add(FidelityCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(DashboardCommand.Create());

return CommandLineRunner.Run(root, args);
