using System.CommandLine;
using EvoAct.Cli.Plots;
using EvoAct.Cluster.Hosting;

namespace EvoAct.Cli.Commands;

/// <summary>`evoact plot [--data DIR --run NAME] [--out DIR] [-k N]`: PNG plots of a run.</summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var options = new RunOptions();
        var output = new Option<string>("--out") { Description = "Directory for the PNG files", DefaultValueFactory = _ => "plots" };
        var k = new Option<int>("-k") { Description = "How many of the best activations to draw", DefaultValueFactory = _ => 5 };
        var command = new Command("plot", "Write PNGs: the top activations and their derivatives, fitness over time, free candidates over time") { output, k };
        options.AddTo(command);
        command.SetAction(r =>
        {
            var s = options.Load(r);
            if (r.GetValue(k) is < 1 or > 20) throw new UsageException("-k: must be between 1 and 20");
            var state = JournalReader.ReadAsync(s.Persistence, s.DataDirectory, s.Name).GetAwaiter().GetResult()
                        ?? throw new UsageException($"no run '{s.Name}' in {s.DataDirectory}");
            foreach (var path in RunPlots.Write(s.Name, state.Events, r.GetValue(output)!, r.GetValue(k)))
                Console.WriteLine($"wrote {path}");
            return 0;
        });
        return command;
    }
}
